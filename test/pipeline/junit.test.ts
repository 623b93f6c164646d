import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  MAX_FAILURE_DETAILS_BYTES,
  MAX_JUNIT_FAILURES,
  MAX_JUNIT_REPORT_BYTES,
  parseJUnitReport,
} from "../../src/pipeline/junit.ts";

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

function parseOk(xml: string, checkoutPrefixes?: string[]) {
  const report = parseJUnitReport(checkoutPrefixes ? { xml, checkoutPrefixes } : { xml });
  if (!report.ok) throw new Error(`expected a parsed report, got problem: ${report.problem}`);
  return report;
}

describe("parseJUnitReport with recorded reports", () => {
  it("reads Node 20's junit reporter output", () => {
    const report = parseOk(fixture("node20-junit.xml"));

    expect({ total: report.total, failed: report.failed, errors: report.errors, skipped: report.skipped }).toEqual({
      total: 6,
      failed: 3,
      errors: 0,
      skipped: 2,
    });
    expect(report.failuresOmitted).toBe(0);
    expect(report.failures.map(({ file, line, title, message }) => ({ file, line, title, message }))).toEqual([
      {
        file: "test/esm.test.mjs",
        line: 3,
        title: "esm fails",
        message: "Expected values to be strictly deep-equal:+ actual - expected  {+   a: 1-   a: 2  }",
      },
      { file: "test/math.test.js", line: 9, title: "subtracts <wrong>", message: "3 - 1 should be & 12 !== 1" },
      { file: "test/math.test.js", line: 14, title: "group > throws", message: "boomsecond line" },
    ]);
  });

  it("keeps Node's failure body as details", () => {
    const report = parseOk(fixture("node20-junit.xml"));

    const details = report.failures[2]?.details ?? "";
    expect(details.startsWith("Error [ERR_TEST_FAILURE]: boom\nsecond line\n")).toBe(true);
    expect(details).toContain("at TestContext.<anonymous> (/workspace/test/math.test.js:14:11)");
  });

  it("reads Node 24's junit reporter output", () => {
    const report = parseOk(fixture("node24-junit.xml"));

    expect({ total: report.total, failed: report.failed, errors: report.errors, skipped: report.skipped }).toEqual({
      total: 6,
      failed: 3,
      errors: 0,
      skipped: 2,
    });
    expect(report.failures.map(({ file, line, title, message }) => ({ file, line, title, message }))).toEqual([
      { file: "test/esm.test.mjs", line: 3, title: "esm fails", message: "Expected values to be strictly deep-equal:" },
      { file: "test/math.test.js", line: 9, title: "subtracts <wrong>", message: "3 - 1 should be & 1" },
      { file: "test/math.test.js", line: 14, title: "group > throws", message: "boom" },
    ]);
  });

  it("reads Vitest's junit reporter output", () => {
    const report = parseOk(fixture("vitest-junit.xml"));

    expect({ total: report.total, failed: report.failed, errors: report.errors, skipped: report.skipped }).toEqual({
      total: 3,
      failed: 1,
      errors: 0,
      skipped: 1,
    });
    expect(report.failures.map(({ file, line, title, message }) => ({ file, line, title, message }))).toEqual([
      { file: "test/a.test.ts", line: 4, title: "math > adds", message: "expected 2 to be 3 // Object.is equality" },
    ]);
  });
});

describe("parseJUnitReport structure", () => {
  it("reads a bare testsuite with nested suites", () => {
    const xml = `<?xml version="1.0"?>
<testsuite name="api">
  <testsuite name="users">
    <testsuite name="create">
      <testcase name="rejects empty names"><failure message="expected 400">at /workspace/test/users.test.js:40:7</failure></testcase>
    </testsuite>
    <testcase name="lists users"/>
  </testsuite>
  <testcase name="health"/>
</testsuite>`;
    const report = parseOk(xml);

    expect(report.total).toBe(3);
    expect(report.failures).toEqual([
      {
        file: "test/users.test.js",
        line: 40,
        title: "api > users > create > rejects empty names",
        message: "expected 400",
        details: "at /workspace/test/users.test.js:40:7",
      },
    ]);
  });

  it("counts error elements apart from failures", () => {
    const xml = `<testsuites>
  <testsuite name="db">
    <testcase name="connects" classname="db"><error message="ECONNREFUSED 127.0.0.1:5432" type="Error">Error: ECONNREFUSED
    at /workspace/src/db.js:10:3</error></testcase>
    <testcase name="queries" classname="db"><failure type="AssertionError"/></testcase>
    <testcase name="migrates" classname="db"><skipped/></testcase>
  </testsuite>
</testsuites>`;
    const report = parseOk(xml);

    expect({ total: report.total, failed: report.failed, errors: report.errors, skipped: report.skipped }).toEqual({
      total: 3,
      failed: 1,
      errors: 1,
      skipped: 1,
    });
    expect(report.failures.map(({ file, line, message }) => ({ file, line, message }))).toEqual([
      { file: "src/db.js", line: 10, message: "ECONNREFUSED 127.0.0.1:5432" },
      { file: "", line: 1, message: "AssertionError" },
    ]);
  });

  it("counts a case with failure and error once, as failed", () => {
    const xml = `<testsuite><testcase name="t"><failure message="a"/><error message="b"/></testcase></testsuite>`;
    const report = parseOk(xml);

    expect({ failed: report.failed, errors: report.errors }).toEqual({ failed: 1, errors: 0 });
    expect(report.failures.map((failure) => failure.message)).toEqual(["a"]);
  });

  it("takes the message from the body when the attribute is missing", () => {
    const xml = `<testsuite><testcase name="t"><failure>
      first line of body
      second line
    </failure></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]?.message).toBe("first line of body");
  });

  it("reads CDATA bodies without decoding entities in them", () => {
    const xml = `<testsuite><testcase name="t"><failure message="m"><![CDATA[raw &amp; <tag>
  at /workspace/a.js:3:9]]></failure></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]?.details).toBe("raw &amp; <tag>\n  at /workspace/a.js:3:9");
    expect(report.failures[0]?.file).toBe("a.js");
  });

  it("skips generic and path-like suite names in titles", () => {
    const xml = `<testsuites name="pytest tests"><testsuite name="pytest"><testcase classname="tests.test_math" name="test_add" file="tests/test_math.py" line="3"><failure message="assert 2 == 3"/></testcase></testsuite></testsuites>`;
    const report = parseOk(xml);

    expect(report.failures[0]?.title).toBe("test_add");
  });
});

describe("parseJUnitReport locations", () => {
  it("uses the file attribute with the line of a frame in that file", () => {
    const xml = `<testsuite name="pytest"><testcase classname="tests.test_math" name="test_add" file="tests/test_math.py" line="3">
<failure message="assert 2 == 3">def test_add():
&gt;       assert add(1, 1) == 3
E       assert 2 == 3

tests/test_math.py:5: AssertionError</failure></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "tests/test_math.py", line: 5 });
  });

  it("uses the line attribute when no frame names the file", () => {
    const xml = `<testsuite><testcase name="t" file="tests/test_math.py" line="12"><failure message="m">no frames here</failure></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "tests/test_math.py", line: 12 });
  });

  it("strips the checkout prefix from an absolute file attribute", () => {
    const xml = `<testsuite><testcase name="t" file="/workspace/src/sum.test.js"><failure message="m"/></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "src/sum.test.js", line: 1 });
  });

  it("strips a custom checkout prefix and a file URL", () => {
    const xml = `<testsuite><testcase name="t"><failure message="m">at Object.&lt;anonymous&gt; (file:///home/runner/work/my%20repo/test/a.test.mjs:7:3)</failure></testcase></testsuite>`;
    const report = parseOk(xml, ["/home/runner/work/my repo"]);

    expect(report.failures[0]).toMatchObject({ file: "test/a.test.mjs", line: 7 });
  });

  it("skips frames outside the checkout and in node_modules", () => {
    const xml = `<testsuite><testcase name="t"><failure message="m">
    at expect (/workspace/node_modules/expect/build/index.js:1:2)
    at run (/usr/lib/node/runner.js:4:4)
    at Context.&lt;anonymous&gt; (/workspace/test/x.test.js:12:5)</failure></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "test/x.test.js", line: 12 });
  });

  it("reads a Python traceback frame", () => {
    const xml = `<testsuite><testcase name="t"><failure message="m">Traceback (most recent call last):
  File "/workspace/tests/test_io.py", line 21, in test_reads
    assert read() == b""</failure></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "tests/test_io.py", line: 21 });
  });

  it("falls back to a path-like classname at line 1", () => {
    const xml = `<testsuite><testcase classname="test/b.test.ts" name="t"><failure message="m"/></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "test/b.test.ts", line: 1 });
  });

  it("leaves the file empty for a dotted classname", () => {
    const xml = `<testsuite><testcase classname="com.example.SumTest" name="t"><failure message="m"/></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "", line: 1 });
  });

  it.each([
    ["0", 1],
    ["-3", 1],
    ["99999999999", 1_000_000],
    ["12.9", 12],
    ["abc", 1],
  ])("clamps line attribute %s to %i", (line, expected) => {
    const xml = `<testsuite><testcase name="t" file="a.py" line="${line}"><failure message="m"/></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]?.line).toBe(expected);
  });

  it("clamps an absurd frame line", () => {
    const xml = `<testsuite><testcase name="t"><failure message="m">at /workspace/a.js:123456789012:1</failure></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]).toMatchObject({ file: "a.js", line: 1_000_000 });
  });
});

describe("parseJUnitReport entities", () => {
  it("decodes built-in entities and character references once", () => {
    const xml = `<testsuite><testcase name="a &amp;lt; b &#65;&#x42; &quot;q&quot; &apos;s&apos;"><failure message="m"/></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]?.title).toBe(`a &lt; b AB "q" 's'`);
  });

  it("leaves a declared entity unexpanded", () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "EXPANDED">]><testsuite><testcase name="&e;"><failure message="&e;"/></testcase></testsuite>`;
    const report = parseOk(xml);

    expect(report.failures[0]?.title).toBe("&e;");
    expect(report.failures[0]?.message).toBe("&e;");
  });

  it("returns quickly on an entity-expansion bomb", () => {
    let declarations = `<!ENTITY lol0 "lol">`;
    for (let level = 1; level <= 9; level += 1) {
      declarations += `<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`;
    }
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [${declarations}]><testsuite><testcase name="&lol9;"><failure message="&lol9;">&lol9;</failure></testcase></testsuite>`;

    const started = performance.now();
    const report = parseJUnitReport({ xml });
    const elapsedMs = performance.now() - started;

    expect(elapsedMs).toBeLessThan(1_000);
    if (report.ok) {
      expect(report.failures[0]?.title).toBe("&lol9;");
      expect(report.failures[0]?.details).toBe("&lol9;");
    } else {
      expect(report.problem).not.toBe("");
    }
  });

  it("rejects an external entity", () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><testsuite><testcase name="&e;"/></testsuite>`;

    expect(parseJUnitReport({ xml })).toEqual({
      ok: false,
      problem: "report could not be parsed: External entities are not supported",
    });
  });
});

describe("parseJUnitReport problems and limits", () => {
  it("rejects malformed XML with its position", () => {
    expect(parseJUnitReport({ xml: `<testsuites>\n  <testcase name="a">\n</testsuites>` })).toEqual({
      ok: false,
      problem:
        "report is not well-formed XML at line 3, column 1: Expected closing tag 'testcase' (opened in line 2, col 3) instead of closing tag 'testsuites'.",
    });
  });

  it("rejects XML without a suite root", () => {
    expect(parseJUnitReport({ xml: `<coverage line-rate="1"/>` })).toEqual({
      ok: false,
      problem: "report has no <testsuites> or <testsuite> root element, so it is not JUnit XML",
    });
  });

  it("accepts a report of exactly the byte limit", () => {
    const shell = "<testsuites><!--  --></testsuites>";
    const xml = shell.replace("<!--  -->", `<!-- ${"x".repeat(MAX_JUNIT_REPORT_BYTES - shell.length)} -->`);

    expect(Buffer.byteLength(xml)).toBe(MAX_JUNIT_REPORT_BYTES);
    expect(parseJUnitReport({ xml })).toEqual({
      ok: true,
      total: 0,
      failed: 0,
      errors: 0,
      skipped: 0,
      failures: [],
      failuresOmitted: 0,
    });
  });

  it("rejects a report one byte over the limit", () => {
    const shell = "<testsuites><!--  --></testsuites>";
    const xml = shell.replace("<!--  -->", `<!-- ${"x".repeat(MAX_JUNIT_REPORT_BYTES - shell.length + 1)} -->`);

    expect(parseJUnitReport({ xml })).toEqual({
      ok: false,
      problem: "report is 10485761 bytes, over the limit of 10485760 bytes",
    });
  });

  it("keeps at most the failure limit and counts the rest", () => {
    const cases = Array.from({ length: MAX_JUNIT_FAILURES + 1 }, (_, index) => `<testcase name="t${index}"><failure message="m"/></testcase>`);
    const report = parseOk(`<testsuite>${cases.join("")}</testsuite>`);

    expect(report.failed).toBe(1_001);
    expect(report.failures.length).toBe(1_000);
    expect(report.failures.at(-1)?.title).toBe("t999");
    expect(report.failuresOmitted).toBe(1);
  });

  it("keeps exactly the failure limit without omitting any", () => {
    const cases = Array.from({ length: MAX_JUNIT_FAILURES }, (_, index) => `<testcase name="t${index}"><failure message="m"/></testcase>`);
    const report = parseOk(`<testsuite>${cases.join("")}</testsuite>`);

    expect(report.failures.length).toBe(1_000);
    expect(report.failuresOmitted).toBe(0);
  });

  it("bounds failure details in bytes", () => {
    const xml = `<testsuite><testcase name="t"><failure message="m">${"é".repeat(MAX_FAILURE_DETAILS_BYTES)}</failure></testcase></testsuite>`;
    const details = parseOk(xml).failures[0]?.details ?? "";

    expect(Buffer.byteLength(details)).toBeLessThanOrEqual(MAX_FAILURE_DETAILS_BYTES);
    expect(details.endsWith("\n… 16,406 bytes cut")).toBe(true);
  });
});
