import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import pino from "pino";
import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runAction, type ActionToolkit } from "../../src/action/run-action.ts";
import { MAX_CHECK_OUTPUT_BYTES } from "../../src/checks/output-limits.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook } from "../loopback-github/webhook-sender.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { HOSTILE_OUTPUT_LINES } from "./corpus.ts";
import { HOSTILE_JUNIT_FAILURES, hostileJunitReport } from "./support/hostile-junit.ts";

const OUTPUT_CONFIG = "steps:\n  - name: noisy\n    run: cat hostile-output.txt; exit 1\n";
const JUNIT_CONFIG = "steps:\n  - name: tests\n    run: exit 1\n    junit: reports/hostile.xml\n";
const FILES = { "hostile-output.txt": `${HOSTILE_OUTPUT_LINES.join("\n")}\n`, "reports/hostile.xml": hostileJunitReport() };

/** Control characters a terminal or log viewer acts on, and the bidirectional overrides. */
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Written into a JUnit report on the host, outside every checkout: no check run may show it. */
const HOST_CANARY = "host-report-canary-8d2e61";
let hostReportPath: string | undefined;

/** Creates, once, a valid JUnit report on the host whose failure message is the canary. */
function hostReport(): string {
  if (hostReportPath === undefined) {
    hostReportPath = join(mkdtempSync(join(tmpdir(), "paddock-host-report-")), "junit.xml");
    writeFileSync(hostReportPath, `<testsuite name="s" tests="1" failures="1"><testcase name="t"><failure message="${HOST_CANARY}"/></testcase></testsuite>\n`);
  }
  return hostReportPath;
}

/** Returns the lines of `text` that the Actions runner would read as a workflow command. */
function workflowCommandLines(text: string): string[] {
  return text.split("\n").filter((line) => /^\s*::/.test(line) || line.includes("##["));
}

describe("hostile step output and reports in check runs", () => {
  let github: LoopbackGitHub;
  let app: PaddockUnderTest;

  async function runRepository(repo: string, config: string) {
    const sample = createSampleRepository({ files: { ...FILES, ".github/paddock.yml": config } });
    github.serveRepository({ owner: "acme", repo, id: 5000 + repo.length, installationId: 77, files: { ".github/paddock.yml": config }, sourceDirectory: sample.directory });
    const payload = buildPullRequestPayload({ action: "opened", owner: "acme", repo, repositoryId: 5000 + repo.length, installationId: 77, number: 1, headSha: sample.sha });
    github.setPullRequest({ owner: "acme", repo, pullRequest: toServedPullRequest(payload) });
    await sendWebhook({ url: app.webhookUrl, delivery: { name: "pull_request", id: `output-${repo}`, payload, secret: LOOPBACK_WEBHOOK_SECRET } });
    await app.service.onIdle();
    return github.checkRuns().find((run) => run.repo === repo)!;
  }

  beforeAll(async () => {
    github = await startLoopbackGitHub();
    const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { ...(options.throttle as object), enabled: false } }));
    app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit });
  });

  afterAll(async () => {
    await app.stop();
    await github.close();
    github.assertNoViolations();
  });

  it("neutralizes escape codes and workflow commands in the output tail", async () => {
    const run = await runRepository("noisy", OUTPUT_CONFIG);
    const shown = `${run.output.summary}\n${run.output.text}`;

    expect(run.conclusion).toBe("failure");
    expect(shown).toContain(":\u200b:set-output name=token::stolen");
    expect(shown).toContain("progress 100%");
    expect(shown).not.toContain("progress 10%");
    expect(shown.match(UNSAFE_CHARACTERS)).toBeNull();
    expect(workflowCommandLines(shown)).toEqual([]);
  });

  it("bounds and neutralizes a hostile JUnit report", async () => {
    const run = await runRepository("reports", JUNIT_CONFIG);
    const annotated = run.annotations.map((annotation) => `${annotation.title}\n${annotation.message}\n${annotation.raw_details ?? ""}`).join("\n");

    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toHaveLength(HOSTILE_JUNIT_FAILURES);
    expect(Math.max(...run.annotations.map((annotation) => annotation.start_line))).toBe(1_000_000);
    expect(Math.min(...run.annotations.map((annotation) => annotation.start_line))).toBe(1);
    expect(annotated).toContain("&lol9;");
    expect(annotated).not.toContain("lollol");
    expect(annotated.match(UNSAFE_CHARACTERS)).toBeNull();
    expect(workflowCommandLines(annotated)).toEqual([]);
    expect(Buffer.byteLength(run.output.summary ?? "")).toBeLessThanOrEqual(MAX_CHECK_OUTPUT_BYTES);
    expect(Buffer.byteLength(run.output.text ?? "")).toBeLessThanOrEqual(MAX_CHECK_OUTPUT_BYTES);
  });

  it.each([
    ["a link to a host file", `ln -s ${hostReport()} reports/junit.xml`, "JUnit report path reports/junit.xml resolves outside the checkout through a symbolic link"],
    ["a linked folder", `rm -r reports && ln -s ${dirname(hostReport())} reports`, "JUnit report path reports/junit.xml resolves outside the checkout through a symbolic link"],
    ["a link to /dev/zero", "ln -s /dev/zero reports/junit.xml", "JUnit report path reports/junit.xml resolves outside the checkout through a symbolic link"],
    ["a FIFO", "mkfifo reports/junit.xml", "JUnit report reports/junit.xml is not a regular file"],
    ["a folder", "mkdir reports/junit.xml", "JUnit report reports/junit.xml is not a regular file"],
  ])("reads no JUnit report that is %s", async (label, plant, problem) => {
    // The step's links are resolved by Paddock on the host, where the host report's canary lives.
    const config = `steps:\n  - name: tests\n    run: mkdir -p reports && ${plant} && exit 1\n    junit: reports/junit.xml\n`;

    const run = await runRepository(`report-${label.replace(/[^a-z]+/g, "-")}`, config);
    const shown = JSON.stringify(run);

    expect(run.conclusion).toBe("failure");
    expect(run.output.text).toContain(problem);
    expect(run.annotations).toEqual([]);
    expect(shown).not.toContain(HOST_CANARY);
  });

  it("sends at most 50 annotations a request", () => {
    const sizes = github.calls
      .filter((call) => call.pathTemplate?.endsWith("/check-runs/{check_run_id}"))
      .map((call) => ((call.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);

    expect(Math.max(...sizes)).toBe(50);
  });
});

describe("hostile step output in the Action", () => {
  it("keeps the job summary and annotations free of commands and escapes", async () => {
    const sample = createSampleRepository({ files: { ...FILES, ".github/paddock.yml": OUTPUT_CONFIG } });
    const runnerTemp = mkdtempSync(join(tmpdir(), "paddock-action-"));
    const eventPath = join(runnerTemp, "event.json");
    writeFileSync(eventPath, JSON.stringify(buildPullRequestPayload({ action: "opened", owner: "acme", repo: "widgets", repositoryId: 4242, installationId: 77, number: 1, headSha: sample.sha })));
    const printed: string[] = [];
    const summaries: string[] = [];
    const failures: string[] = [];
    const toolkit: ActionToolkit = {
      getInput: (name) => (name === "command" ? "up" : ""),
      setOutput: () => undefined,
      setSecret: () => undefined,
      setFailed: (message) => failures.push(message),
      info: (message) => printed.push(message),
      error: (message, properties) => printed.push(`${properties.title ?? ""} ${message}`),
      warning: (message, properties) => printed.push(`${properties.title ?? ""} ${message}`),
      notice: (message, properties) => printed.push(`${properties.title ?? ""} ${message}`),
      writeSummary: async (markdown) => void summaries.push(markdown),
    };

    await runAction({ toolkit, logger: pino({ level: "silent" }), env: { GITHUB_WORKSPACE: sample.directory, GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: eventPath, RUNNER_TEMP: runnerTemp } });
    const shown = [...summaries, ...printed, ...failures].join("\n");

    expect(failures).toEqual(["Paddock pipeline concluded failure: 0 of 1 step passed"]);
    expect(summaries).toHaveLength(1);
    expect(shown).toContain(":\u200b:add-mask::nothing");
    expect(shown.match(UNSAFE_CHARACTERS)).toBeNull();
    expect(workflowCommandLines(shown)).toEqual([]);
  });
});
