import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CheckRunView, TestFailure } from "../../src/checks/check-run-view.ts";
import {
  createCheckRunReporter,
  MIN_PROGRESS_INTERVAL_MS,
  type CheckRunReporter,
  type ChecksClient,
  type ReporterLogger,
} from "../../src/checks/report-check-run.ts";
import { renderCheckRun } from "../../src/checks/render-check-run.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { finishedStep, makeView } from "./support/check-run-views.ts";

const OWNER = "acme";
const REPO = "web";
const CHECK_RUNS = `/repos/${OWNER}/${REPO}/check-runs`;
const STARTED = new Date("2026-12-04T10:00:00.123Z");
const COMPLETED = new Date("2026-12-04T10:05:30.999Z");

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function captureLogger(lines: LogLine[]): ReporterLogger {
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function failures(count: number): TestFailure[] {
  return Array.from({ length: count }, (_, index) => ({ file: "test/a.test.js", line: index + 1, title: `case ${index}`, message: "boom" }));
}

function failingView(failureCount: number): CheckRunView {
  return makeView({
    conclusion: "failure",
    steps: [finishedStep({ name: "test", status: "failure", outputTail: "failed\n" }, { failures: failures(failureCount) })],
  });
}

const runningView = makeView({ status: "in_progress", steps: [{ name: "build", status: "running" }, { name: "test", status: "queued" }] });

describe("createCheckRunReporter", () => {
  let fake: FakeGitHub;
  let logs: LogLine[];
  let clock: Date;
  let reporter: CheckRunReporter;

  beforeEach(() => {
    fake = createFakeGitHub({ requireAuth: false, now: () => COMPLETED });
    logs = [];
    clock = STARTED;
    reporter = createCheckRunReporter({
      octokit: new Octokit(),
      owner: OWNER,
      repo: REPO,
      logger: captureLogger(logs),
      now: () => clock,
      minProgressIntervalMs: 0,
    });
  });

  afterEach(() => {
    try {
      fake.assertNoViolations();
    } finally {
      fake.close();
    }
  });

  it("starts an in-progress check run", async () => {
    const id = await reporter.start(runningView);
    const rendered = renderCheckRun(runningView);

    expect(id).toBe(1);
    expect(fake.calls.map((call) => [call.method, call.path, call.status])).toEqual([["POST", CHECK_RUNS, 201]]);
    expect(fake.calls[0]?.body).toEqual({
      name: "paddock / pr-12-acme-web-1a2b3c",
      head_sha: "0123456789abcdef0123456789abcdef01234567",
      status: "in_progress",
      external_id: "pr-12-acme-web-1a2b3c",
      started_at: "2026-12-04T10:00:00Z",
      output: { title: "Running build (step 1 of 2)", summary: rendered.summary },
    });
    expect(logs).toEqual([{ level: "info", fields: { checkRunId: 1, name: "paddock / pr-12-acme-web-1a2b3c", headSha: runningView.headSha }, message: "check run created" }]);
  });

  it("updates the title and summary", async () => {
    const id = await reporter.start(runningView);
    const next = makeView({ status: "in_progress", steps: [finishedStep({ name: "build", status: "success" }), { name: "test", status: "running" }] });

    await reporter.update(id, next);

    expect(fake.calls.map((call) => [call.method, call.path, call.status])).toEqual([
      ["POST", CHECK_RUNS, 201],
      ["PATCH", `${CHECK_RUNS}/1`, 200],
    ]);
    expect(fake.calls[1]?.body).toEqual({ output: { title: "Running test (step 2 of 2)", summary: renderCheckRun(next).summary } });
  });

  it("skips an update soon after the last write", async () => {
    const paced = createCheckRunReporter({ octokit: new Octokit(), owner: OWNER, repo: REPO, logger: captureLogger(logs), now: () => clock });
    const id = await paced.start(runningView);
    const next = makeView({ status: "in_progress", steps: [finishedStep({ name: "build", status: "success" }), { name: "test", status: "running" }] });

    await paced.update(id, next);
    clock = new Date(clock.getTime() + MIN_PROGRESS_INTERVAL_MS);
    await paced.update(id, next);

    expect(fake.calls.map((call) => call.method)).toEqual(["POST", "PATCH"]);
    expect(logs.some((line) => line.message === "check run update skipped: the last write was too recent")).toBe(true);
  });

  it("skips an update with unchanged output", async () => {
    const id = await reporter.start(runningView);

    await reporter.update(id, runningView);
    await reporter.update(id, runningView);

    expect(fake.calls.length).toBe(2);
    expect(logs.at(-1)).toEqual({ level: "debug", fields: { checkRunId: 1 }, message: "check run update skipped: output unchanged" });
  });

  it("logs a failed update without throwing", async () => {
    const id = await reporter.start(runningView);
    fake.failNext("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { status: 502 });

    await expect(reporter.update(id, runningView)).resolves.toBeUndefined();

    expect(fake.calls.map((call) => call.status)).toEqual([201, 502]);
    expect(logs.at(-1)).toMatchObject({ level: "warn", fields: { checkRunId: 1 }, message: "check run progress update failed" });
  });

  it("completes with 50 annotations in one request", async () => {
    const id = await reporter.start(runningView);
    clock = COMPLETED;
    const view = failingView(50);
    const rendered = renderCheckRun(view);

    await reporter.complete(id, view);

    expect(fake.calls.length).toBe(2);
    expect(fake.calls[1]?.body).toEqual({
      status: "completed",
      conclusion: "failure",
      completed_at: "2026-12-04T10:05:30Z",
      output: { title: "0 of 1 step passed · 50 tests failed", summary: rendered.summary, text: rendered.text, annotations: rendered.annotations },
    });
    expect(fake.checkRuns()[0]).toMatchObject({ status: "completed", conclusion: "failure", updateCount: 1 });
    expect(fake.checkRuns()[0]?.annotations.length).toBe(50);
  });

  it("completes with 51 annotations in two requests", async () => {
    const id = await reporter.start(runningView);
    const view = failingView(51);
    const rendered = renderCheckRun(view);

    await reporter.complete(id, view);

    const patches = fake.calls.filter((call) => call.method === "PATCH");
    expect(patches.length).toBe(2);
    expect((patches[0]?.body as { output: { annotations: unknown[] } }).output.annotations.length).toBe(50);
    expect(patches[1]?.body).toEqual({ output: { title: rendered.title, summary: rendered.summary, annotations: rendered.annotations.slice(50) } });
    expect(fake.checkRuns()[0]?.annotations).toEqual(rendered.annotations);
  });

  it("completes with 120 annotations in three requests", async () => {
    const id = await reporter.start(runningView);
    const view = failingView(120);

    await reporter.complete(id, view);

    const patches = fake.calls.filter((call) => call.method === "PATCH");
    const sizes = patches.map((call) => (call.body as { output: { annotations: unknown[] } }).output.annotations.length);
    expect(sizes).toEqual([50, 50, 20]);
    expect(patches.map((call) => call.status)).toEqual([200, 200, 200]);
    expect(fake.checkRuns()[0]?.annotations.map((annotation) => annotation.title)).toEqual(failures(120).map((failure) => failure.title));
    expect(logs.at(-1)).toEqual({ level: "info", fields: { checkRunId: 1, conclusion: "failure", annotations: 120 }, message: "check run completed" });
  });

  it("completes a passing run without annotations", async () => {
    const id = await reporter.start(runningView);
    const view = makeView({ steps: [finishedStep({ name: "build", status: "success" })] });

    await reporter.complete(id, view);

    expect(fake.calls[1]?.body).toEqual({
      status: "completed",
      conclusion: "success",
      completed_at: "2026-12-04T10:00:00Z",
      output: { title: "1 of 1 step passed", summary: renderCheckRun(view).summary },
    });
  });

  it("rethrows a failed completion", async () => {
    const id = await reporter.start(runningView);
    fake.failNext("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { status: 500 });

    await expect(reporter.complete(id, failingView(1))).rejects.toMatchObject({ status: 500 });

    expect(logs.at(-1)).toMatchObject({ level: "error", fields: { checkRunId: 1, conclusion: "failure" }, message: "check run completion failed" });
  });

  it("keeps sending annotations after one request fails", async () => {
    const octokit = new Octokit();
    let updates = 0;
    const flaky: ChecksClient = {
      rest: {
        checks: {
          create: (parameters) => octokit.rest.checks.create(parameters),
          update: async (parameters) => {
            updates += 1;
            if (updates === 2) throw new Error("socket hang up");
            return octokit.rest.checks.update(parameters);
          },
        },
      },
    };
    const flakyReporter = createCheckRunReporter({ octokit: flaky, owner: OWNER, repo: REPO, logger: captureLogger(logs), now: () => clock });
    const id = await flakyReporter.start(runningView);

    await flakyReporter.complete(id, failingView(120));

    expect(fake.calls.filter((call) => call.method === "PATCH").map((call) => call.status)).toEqual([200, 200]);
    expect(fake.checkRuns()[0]?.annotations.length).toBe(70);
    expect(logs.filter((line) => line.level === "error")).toMatchObject([
      { fields: { checkRunId: 1, request: 2, annotations: 50 }, message: "check run annotation update failed" },
    ]);
  });

  it("rethrows a failed start", async () => {
    fake.failNext("POST /repos/{owner}/{repo}/check-runs", { status: 403 });

    await expect(reporter.start(runningView)).rejects.toMatchObject({ status: 403 });

    expect(logs).toMatchObject([{ level: "error", message: "check run creation failed" }]);
  });
});
