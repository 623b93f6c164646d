import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { WIDGETS } from "../loopback-github/loopback-fixtures.ts";
import { PASSED_RUN, ROUTES, runWithFaults } from "./support/run-with-faults.ts";

let github: LoopbackGitHub;

beforeEach(async () => {
  github = await startLoopbackGitHub();
});

afterEach(async () => {
  await github.close();
  github.assertNoViolations();
});

describe("installation token expiry", () => {
  it("mints a new token after a 401", async () => {
    const result = await runWithFaults(github, [[ROUTES.updateCheckRun, { kind: "expire-token" }, 1]]);

    expect(result.runs).toEqual([PASSED_RUN]);
    expect(github.tokens.mintTimes(WIDGETS.installationId)).toHaveLength(2);
  });
});
