import { afterEach, beforeEach, describe, expect, it } from "vitest";

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

describe("GitHub faults mid-pipeline", () => {
  it("retries 500s on check-run updates", async () => {
    const result = await runWithFaults(github, [[ROUTES.updateCheckRun, { kind: "status", status: 500 }, 2]]);

    expect(result.reply.status).toBe(200);
    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.faulted).toEqual([`${ROUTES.updateCheckRun} status`, `${ROUTES.updateCheckRun} status`]);
  });

  it("retries a 502 on the config read", async () => {
    const result = await runWithFaults(github, [[ROUTES.readContents, { kind: "status", status: 502 }, 1]]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.pending).toBe(0);
  });

  it("retries a dropped tarball request", async () => {
    const result = await runWithFaults(github, [[ROUTES.readTarball, { kind: "drop" }, 1]]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.faulted).toEqual([`${ROUTES.readTarball} drop`]);
  });

  it("retries a dropped check-run creation", async () => {
    const result = await runWithFaults(github, [[ROUTES.createCheckRun, { kind: "drop" }, 1]]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.faulted).toEqual([`${ROUTES.createCheckRun} drop`]);
  });

  it("survives a GitHub that stops answering", async () => {
    const result = await runWithFaults(github, [
      [ROUTES.readPull, { kind: "hang" }, 1],
      [ROUTES.updateCheckRun, { kind: "hang" }, 1],
    ]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(result.faulted).toEqual([`${ROUTES.readPull} hang`, `${ROUTES.updateCheckRun} hang`]);
  });
});
