import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJUnitReport } from "../../src/pipeline/junit.ts";

// Runs the Node that runs these tests, so a newer Node in CI checks its own reporter's output.
describe("parseJUnitReport on node --test --test-reporter=junit", () => {
  let checkout = "";
  let xml = "";

  beforeAll(() => {
    checkout = realpathSync(mkdtempSync(path.join(tmpdir(), "paddock-junit-")));
    mkdirSync(path.join(checkout, "test"));
    writeFileSync(
      path.join(checkout, "test", "math.test.js"),
      [
        `const test = require("node:test");`,
        `const assert = require("node:assert");`,
        ``,
        `test("adds", () => {`,
        `  assert.strictEqual(1 + 1, 2);`,
        `});`,
        ``,
        `test("subtracts", () => {`,
        `  assert.strictEqual(3 - 1, 1);`,
        `});`,
        ``,
        `test.describe("group", () => {`,
        `  test.it("throws", () => {`,
        `    throw new Error("boom");`,
        `  });`,
        `  test.it.skip("skipped", () => {});`,
        `});`,
        ``,
      ].join("\n"),
    );
    writeFileSync(
      path.join(checkout, "test", "esm.test.mjs"),
      [`import test from "node:test";`, `import assert from "node:assert";`, ``, `test("esm fails", () => {`, `  assert.deepStrictEqual({ a: 1 }, { a: 2 });`, `});`, ``].join("\n"),
    );

    // No path argument: Node 20 reads `test/` as a directory but Node 22 and later as a file, and
    // both find `*.test.js` and `*.test.mjs` by default.
    const run = spawnSync(
      process.execPath,
      ["--test", "--test-reporter=junit", "--test-reporter-destination=report.xml"],
      { cwd: checkout, encoding: "utf8", timeout: 60_000 },
    );
    expect(run.status).toBe(1);
    xml = readFileSync(path.join(checkout, "report.xml"), "utf8");
  });

  afterAll(() => {
    if (checkout) rmSync(checkout, { recursive: true, force: true });
  });

  it("counts the cases", () => {
    const report = parseJUnitReport({ xml, checkoutPrefixes: [checkout] });
    if (!report.ok) throw new Error(report.problem);

    expect({ total: report.total, failed: report.failed, errors: report.errors, skipped: report.skipped }).toEqual({
      total: 5,
      failed: 3,
      errors: 0,
      skipped: 1,
    });
  });

  it("locates each failure at its line", () => {
    const report = parseJUnitReport({ xml, checkoutPrefixes: [checkout] });
    if (!report.ok) throw new Error(report.problem);

    const located = report.failures.map(({ file, line, title }) => ({ file, line, title }));
    expect(located.sort((a, b) => a.title.localeCompare(b.title))).toEqual([
      { file: "test/esm.test.mjs", line: 5, title: "esm fails" },
      { file: "test/math.test.js", line: 14, title: "group > throws" },
      { file: "test/math.test.js", line: 9, title: "subtracts" },
    ]);
  });
});
