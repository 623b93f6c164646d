import { createPaddockOctokit } from "../../../src/github/paddock-octokit.ts";
import type { LoopbackFault } from "../../loopback-github/faults.ts";
import { PASSING_CONFIG, deliverPullRequest, serveWidgets } from "../../loopback-github/loopback-fixtures.ts";
import type { LoopbackGitHub } from "../../loopback-github/loopback-github.ts";
import { startPaddockServer } from "../../loopback-github/paddock-server.ts";

/** Routes the fault suites aim at, as GitHub's OpenAPI description writes them. */
export const ROUTES = {
  updateCheckRun: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  createCheckRun: "POST /repos/{owner}/{repo}/check-runs",
  readContents: "GET /repos/{owner}/{repo}/contents/{path}",
  readTarball: "GET /repos/{owner}/{repo}/tarball/{ref}",
  readPull: "GET /repos/{owner}/{repo}/pulls/{pull_number}",
} as const;

/** The check run of a pipeline whose one step passed: [head matches, status, conclusion, title]. */
export const PASSED_RUN = [true, "completed", "success", "1 of 1 step passed"];

/**
 * Starts Paddock with the production Octokit (a 1-second response timeout instead of 30, so a
 * hung request costs a second), queues the faults, runs one pull request with a passing step
 * and stops Paddock again. Returns the check runs as [head matches, status, conclusion, title],
 * the faulted calls as "METHOD template kind", and the faults left unused.
 */
export async function runWithFaults(github: LoopbackGitHub, faults: Array<[route: string, fault: LoopbackFault, times: number]>) {
  const { sha } = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG });
  const app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit: createPaddockOctokit({ responseTimeoutMs: 1_000 }) });
  try {
    for (const [route, fault, times] of faults) github.inject(route, fault, times);
    const { reply } = await deliverPullRequest({ github, app, spec: { headSha: sha }, id: "delivery-faults" });
    await app.service.onIdle();

    return {
      reply,
      runs: github.checkRuns().map((run) => [run.head_sha === sha, run.status, run.conclusion, run.output.title]),
      faulted: github.calls.filter((call) => call.fault !== undefined).map((call) => `${call.method} ${call.pathTemplate} ${call.fault}`),
      pending: github.pendingFaults(),
    };
  } finally {
    await app.stop();
  }
}
