import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { LoopbackFault } from "../loopback-github/faults.ts";
import { PASSING_CONFIG, deliverPullRequest, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { createPaddockOctokit } from "../../src/github/paddock-octokit.ts";
import { SECONDARY_LIMIT_MESSAGE } from "../loopback-github/github-limits.ts";

const UPDATE_CHECK_RUN = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
const CREATE_CHECK_RUN = "POST /repos/{owner}/{repo}/check-runs";
const READ_CONTENTS = "GET /repos/{owner}/{repo}/contents/{path}";
const READ_TARBALL = "GET /repos/{owner}/{repo}/tarball/{ref}";
const READ_PULL = "GET /repos/{owner}/{repo}/pulls/{pull_number}";

let github: LoopbackGitHub;
let app: PaddockUnderTest | undefined;

beforeEach(async () => {
  github = await startLoopbackGitHub();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await github.close();
  github.assertNoViolations();
});

/** Runs one pull request with the faults queued, and returns its check runs as [status, conclusion] and the faulted calls. */
async function runWithFaults(faults: Array<[route: string, fault: LoopbackFault, times: number]>) {
  const { sha } = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG });
  // A short response timeout, so a hung request costs a second instead of the production 30 seconds.
  app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit: createPaddockOctokit({ responseTimeoutMs: 1_000 }) });
  for (const [route, fault, times] of faults) github.inject(route, fault, times);

  const { reply } = await deliverPullRequest({ github, app, spec: { headSha: sha }, id: "delivery-faults" });
  await app.service.onIdle();

  return {
    reply,
    runs: github.checkRuns().map((run) => [run.head_sha === sha, run.status, run.conclusion, run.output.title]),
    faulted: github.calls.filter((call) => call.fault !== undefined).map((call) => `${call.method} ${call.pathTemplate} ${call.fault}`),
    pending: github.pendingFaults(),
  };
}

const SUCCESS = [true, "completed", "success", "1 of 1 step passed"];

describe("GitHub faults mid-pipeline", () => {
  it("retries 500s on check-run updates", async () => {
    const result = await runWithFaults([[UPDATE_CHECK_RUN, { kind: "status", status: 500 }, 2]]);

    expect(result.reply.status).toBe(200);
    expect(result.runs).toEqual([SUCCESS]);
    expect(result.faulted).toEqual([`PATCH ${UPDATE_CHECK_RUN.split(" ")[1]} status`, `PATCH ${UPDATE_CHECK_RUN.split(" ")[1]} status`]);
  });

  it("retries a 502 on the config read", async () => {
    const result = await runWithFaults([[READ_CONTENTS, { kind: "status", status: 502 }, 1]]);

    expect(result.runs).toEqual([SUCCESS]);
    expect(result.pending).toBe(0);
  });

  it("retries a dropped tarball request", async () => {
    const result = await runWithFaults([[READ_TARBALL, { kind: "drop" }, 1]]);

    expect(result.runs).toEqual([SUCCESS]);
    expect(result.faulted).toEqual([`GET ${READ_TARBALL.split(" ")[1]} drop`]);
  });

  it("retries a dropped check-run creation", async () => {
    const result = await runWithFaults([[CREATE_CHECK_RUN, { kind: "drop" }, 1]]);

    expect(result.runs).toEqual([SUCCESS]);
  });

  it("survives a GitHub that stops answering", async () => {
    const result = await runWithFaults([
      [READ_PULL, { kind: "hang" }, 1],
      [UPDATE_CHECK_RUN, { kind: "hang" }, 1],
    ]);

    expect(result.runs).toEqual([SUCCESS]);
    expect(result.pending).toBe(0);
  });

  it("waits out a secondary limit answered with 403", async () => {
    const limited: LoopbackFault = { kind: "status", status: 403, message: SECONDARY_LIMIT_MESSAGE, headers: { "retry-after": "1" } };
    const result = await runWithFaults([[UPDATE_CHECK_RUN, limited, 3]]);

    expect(result.runs).toEqual([SUCCESS]);
    expect(result.pending).toBe(0);
  });

  it("waits out a secondary limit answered with 429", async () => {
    const limited: LoopbackFault = { kind: "status", status: 429, message: SECONDARY_LIMIT_MESSAGE, headers: { "retry-after": "2" } };
    const result = await runWithFaults([[UPDATE_CHECK_RUN, limited, 2]]);

    expect(result.runs).toEqual([SUCCESS]);
  });

  it("waits out an exhausted primary limit", async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    const exhausted: LoopbackFault = { kind: "status", status: 403, message: "API rate limit exceeded for installation ID 77.", headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } };
    const result = await runWithFaults([[CREATE_CHECK_RUN, exhausted, 1]]);

    expect(result.runs).toEqual([SUCCESS]);
  });
});
