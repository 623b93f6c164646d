import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { deliverPullRequest, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";

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

/** Returns the head SHA of push `index` (1 to 9). The commits are fake, because no run here gets past reading its config. */
function commit(index: number): string {
  return String(index).padEnd(40, "0");
}

describe("burst under Octokit's throttling", () => {
  it("sends the newest check run before cancellations", async () => {
    // No config: every run that starts ends at once as neutral, so only the write order matters.
    serveWidgets(github, {});
    // The production Octokit, with its throttling: one installation's writes go out one a second.
    app = await startPaddockServer({ baseUrl: github.baseUrl, quietMs: 500 });

    // 1. Nine pushes at once: the first starts, the next seven are superseded while they wait,
    // each with a cancelled check run of its own.
    for (let index = 1; index <= 9; index += 1) {
      const action = index === 1 ? "opened" : "synchronize";
      await deliverPullRequest({ github, app, spec: { action, headSha: commit(index) }, id: `delivery-${index}` });
    }
    await app.service.onIdle();

    // 2. The order in which the check-run creations reached GitHub.
    const creations = github.calls
      .filter((call) => call.method === "POST" && call.pathTemplate === "/repos/{owner}/{repo}/check-runs")
      .map((call) => {
        const body = call.body as { head_sha: string; status: string };
        return `${body.head_sha.slice(0, 1)} ${body.status}`;
      });

    // Cancellations go out one at a time, a second apart, so the newest commit's check run
    // overtakes those still waiting when it was issued instead of waiting for all seven.
    expect(creations[0]).toBe("1 in_progress");
    expect(creations.indexOf("9 in_progress")).toBeLessThan(creations.indexOf("7 completed"));
    expect(creations.filter((creation) => creation.endsWith("completed")).sort()).toEqual(["2 completed", "3 completed", "4 completed", "5 completed", "6 completed", "7 completed", "8 completed"]);
  }, 30_000);
});
