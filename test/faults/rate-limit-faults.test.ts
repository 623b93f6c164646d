import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { LoopbackFault } from "../loopback-github/faults.ts";
import { SECONDARY_LIMIT_MESSAGE } from "../loopback-github/github-limits.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { PASSED_RUN, ROUTES, runWithFaults } from "./support/run-with-faults.ts";

let github: LoopbackGitHub;

beforeEach(async () => {
  github = await startLoopbackGitHub();
});

afterEach(async () => {
  await github.close();
  github.assertNoViolations();
});

describe("GitHub rate limits mid-pipeline", () => {
  it("waits out a secondary limit answered with 403", async () => {
    // Three in a row: the progress update, the completion and the failure report after it.
    const limited: LoopbackFault = { kind: "status", status: 403, message: SECONDARY_LIMIT_MESSAGE, headers: { "retry-after": "1" } };
    const result = await runWithFaults(github, [[ROUTES.updateCheckRun, limited, 3]]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.faulted).toEqual([`${ROUTES.updateCheckRun} status`, `${ROUTES.updateCheckRun} status`, `${ROUTES.updateCheckRun} status`]);
  });

  it("waits out a secondary limit answered with 429", async () => {
    const limited: LoopbackFault = { kind: "status", status: 429, message: SECONDARY_LIMIT_MESSAGE, headers: { "retry-after": "2" } };
    const result = await runWithFaults(github, [[ROUTES.updateCheckRun, limited, 2]]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.pending).toBe(0);
  });

  it("waits out an exhausted primary limit", async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    const headers = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset };
    const exhausted: LoopbackFault = { kind: "status", status: 403, message: "API rate limit exceeded for installation ID 77.", headers };
    const result = await runWithFaults(github, [[ROUTES.createCheckRun, exhausted, 1]]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.faulted).toEqual([`${ROUTES.createCheckRun} status`]);
  });
});
