import { readdirSync } from "node:fs";
import { join } from "node:path";

import { ProbotOctokit } from "probot";

import { serveOrgPolicy } from "../../loopback-github/loopback-fixtures.ts";
import type { LoopbackGitHub } from "../../loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, type PaddockUnderTest } from "../../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest, type PullRequestEventSpec } from "../../loopback-github/webhook-payloads.ts";
import { sendWebhook } from "../../loopback-github/webhook-sender.ts";
import { createSampleRepository } from "../../support/sample-repository.ts";

/** Probot's Octokit without throttling, for suites about what a step sees rather than about GitHub's limits. */
export const UNTHROTTLED_OCTOKIT = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { ...(options.throttle as object), enabled: false } }));

let repositories = 0;

/**
 * Serves a fresh repository with this config (and org policy, when given), delivers one pull
 * request for it with the event fields of `spec`, waits for the run, and returns the check
 * run and the checkout folder the step ran in.
 */
export async function runProbe(options: {
  github: LoopbackGitHub;
  app: PaddockUnderTest;
  config: string;
  policy?: string;
  spec?: Partial<PullRequestEventSpec>;
  /** Changes the payload before it is signed and sent, such as planting a canary in a field. */
  patchPayload?: (payload: Record<string, unknown>) => void;
}) {
  const { github, app } = options;
  repositories += 1;
  const repo = `probe-${repositories}`;
  const repositoryId = 7000 + repositories;
  const sample = createSampleRepository({ files: { ".github/paddock.yml": options.config } });
  github.serveRepository({ owner: "acme", repo, id: repositoryId, installationId: 77, files: { ".github/paddock.yml": options.config }, sourceDirectory: sample.directory });
  if (options.policy !== undefined) serveOrgPolicy(github, { owner: "acme", installationId: 77, text: options.policy });

  const payload = buildPullRequestPayload({ action: "opened", owner: "acme", repo, repositoryId, installationId: 77, number: 1, headSha: sample.sha, ...options.spec });
  github.setPullRequest({ owner: "acme", repo, pullRequest: toServedPullRequest(payload) });
  options.patchPayload?.(payload as unknown as Record<string, unknown>);
  const reply = await sendWebhook({ url: app.webhookUrl, delivery: { name: "pull_request", id: `probe-${repo}`, payload, secret: LOOPBACK_WEBHOOK_SECRET } });
  await app.service.onIdle();

  const run = github.checkRuns().find((candidate) => candidate.repo === repo);
  const environments = readdirSync(join(app.stateDir, "environments")).filter((name) => name.startsWith(repo));
  const checkout = environments.length === 1 ? join(app.stateDir, "environments", environments[0]!, "checkouts", sample.sha) : undefined;
  return { reply, run, checkout, sha: sample.sha };
}
