/**
 * The loopback GitHub of the intake benchmark, in a process of its own: it serves `acme/widgets`
 * (installation 77) with a one-step config, and pull requests 1 to 1,000 as open. Prints one
 * JSON line with the base URL, and exits when stdin closes or after 15 minutes at most.
 *
 *   node --import tsx bench/support/github-process.ts
 */
import { startLoopbackGitHub } from "../../test/loopback-github/loopback-github.ts";
import { PASSING_CONFIG, serveWidgets, WIDGETS } from "../../test/loopback-github/loopback-fixtures.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../../test/loopback-github/webhook-payloads.ts";

/** Pull requests served as open; the benchmark's deliveries use numbers in this range. */
const OPEN_PULL_REQUESTS = 1_000;

const github = await startLoopbackGitHub();
const { sha } = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG });
for (let number = 1; number <= OPEN_PULL_REQUESTS; number += 1) {
  github.setPullRequest({ owner: WIDGETS.owner, repo: WIDGETS.repo, pullRequest: toServedPullRequest(buildPullRequestPayload({ action: "opened", ...WIDGETS, number, headSha: sha })) });
}
process.stdout.write(`${JSON.stringify({ baseUrl: github.baseUrl })}\n`);

process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 15 * 60 * 1000);
