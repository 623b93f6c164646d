import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { parseJUnitReport } from "../../../src/pipeline/junit.ts";
import { MAX_TERMINATION_MESSAGE_BYTES, readJUnitSummary } from "../../../src/pipeline/junit-summary.ts";
import { JUNIT_SUMMARY_AWK, JUNIT_SUMMARY_AWK_VARIABLES } from "../../../src/providers/kubernetes/junit-summary-awk.ts";
import { SCRIPT_ENV, STEP_SCRIPT } from "../../../src/providers/kubernetes/manifests/step-scripts.ts";

const FIXTURES = ["node20-junit.xml", "node24-junit.xml", "vitest-junit.xml"];
const AWKS = ["mawk", "nawk", "gawk", "original-awk"].filter((name) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0);
const directory = mkdtempSync(join(tmpdir(), "paddock-awk-"));

function fixture(name: string): string {
  return readFileSync(new URL(`../../pipeline/fixtures/${name}`, import.meta.url), "utf8");
}

function summarize(awk: string, xml: string): string {
  const file = join(directory, "report.xml");
  writeFileSync(file, xml);
  const variables = JUNIT_SUMMARY_AWK_VARIABLES.flatMap((assignment) => ["-v", assignment]);
  return execFileSync(awk, [...variables, JUNIT_SUMMARY_AWK, file], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
}

function runStepScript(options: { run: string; junitPath?: string }): { status: number | null; message: string } {
  const workspace = mkdtempSync(join(directory, "workspace-"));
  const terminationLog = join(workspace, "termination-log");
  writeFileSync(terminationLog, "");
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", [SCRIPT_ENV.run]: options.run, [SCRIPT_ENV.workspace]: workspace, [SCRIPT_ENV.terminationLog]: terminationLog };
  if (options.junitPath) Object.assign(env, { [SCRIPT_ENV.junitPath]: options.junitPath, [SCRIPT_ENV.summaryAwk]: JUNIT_SUMMARY_AWK });
  const result = spawnSync("/bin/sh", ["-c", STEP_SCRIPT], { env, encoding: "utf8" });
  return { status: result.status, message: readFileSync(terminationLog, "utf8") };
}

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("JUNIT_SUMMARY_AWK", () => {
  it("finds at least one awk", () => {
    expect(AWKS.length).toBeGreaterThan(0);
  });

  for (const awk of AWKS) {
    it.each(FIXTURES)(`${awk} matches the XML parser on %s`, (name) => {
      const xml = fixture(name);
      const expected = parseJUnitReport({ xml });
      const summary = readJUnitSummary({ json: summarize(awk, xml) });
      if (!expected.ok || !summary.ok) throw new Error("expected both reports to parse");

      expect([summary.total, summary.failed, summary.errors, summary.skipped]).toEqual([expected.total, expected.failed, expected.errors, expected.skipped]);
      expect(summary.failures.map(({ file, line }) => ({ file, line }))).toEqual(expected.failures.map(({ file, line }) => ({ file, line })));
      expect(summary.failures.map((failure) => failure.message)).toEqual(expected.failures.map((failure) => failure.message));
    });

    it(`${awk} stays within one termination message`, () => {
      const cases = Array.from({ length: 300 }, (_, index) => `<testcase name="case ${index} &quot;quoted&quot; \\ tab\t" classname="suite"><failure message="failed number ${index}">at /workspace/test/x.test.ts:${index + 1}:3</failure></testcase>`);
      const output = summarize(awk, `<testsuites><testsuite name="s">${cases.join("")}</testsuite></testsuites>`);
      const summary = readJUnitSummary({ json: output });
      if (!summary.ok) throw new Error(summary.problem);

      expect(Buffer.byteLength(output)).toBeLessThanOrEqual(MAX_TERMINATION_MESSAGE_BYTES);
      expect(summary.failed).toBe(300);
      expect(summary.failures.length + summary.failuresOmitted).toBe(300);
      expect(summary.failures[0]).toEqual({ file: "test/x.test.ts", line: 1, title: 'case 0 "quoted" \\ tab', message: "failed number 0" });
    });

    it(`${awk} reports a file that is not JUnit`, () => {
      const summary = readJUnitSummary({ json: summarize(awk, "<html><body>nope</body></html>") });

      expect(summary).toEqual({ ok: false, problem: "the file has no testsuite or testcase element, so it is not a JUnit report" });
    });
  }
});

describe("STEP_SCRIPT", () => {
  it("keeps the exit code and writes the summary", () => {
    const xml = fixture("vitest-junit.xml").replaceAll("'", "'\"'\"'");

    const result = runStepScript({ run: `printf '%s' '${xml}' > junit.xml; exit 3`, junitPath: "junit.xml" });

    expect(result.status).toBe(3);
    expect(readJUnitSummary({ json: result.message })).toMatchObject({ ok: true, total: 3, failed: 1, skipped: 1 });
  });

  it("says when the report is missing", () => {
    const result = runStepScript({ run: "true", junitPath: "missing.xml" });

    expect(result.status).toBe(0);
    expect(result.message).toBe('{"paddock":"junit-summary/v1","problem":"the step wrote no JUnit report at the configured path"}');
  });

  it("writes nothing without a report path", () => {
    const result = runStepScript({ run: "echo hello; exit 1" });

    expect(result).toEqual({ status: 1, message: "" });
  });
});
