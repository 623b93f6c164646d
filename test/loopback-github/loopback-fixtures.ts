import { createSampleRepository } from "../support/sample-repository.ts";
import type { LoopbackGitHub } from "./loopback-github.ts";
import type { PaddockUnderTest } from "./paddock-server.ts";
import { LOOPBACK_WEBHOOK_SECRET } from "./paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest, type PullRequestEventSpec, type PullRequestPayload } from "./webhook-payloads.ts";
import { sendWebhook, type WebhookReply } from "./webhook-sender.ts";

/** A config with one quick step that passes. */
export const PASSING_CONFIG = "steps:\n  - name: check\n    run: echo checked\n    timeout: 1m\n";

/** The repository of the loopback suites: `acme/widgets`, repository 4242, installation 77. */
export const WIDGETS = { owner: "acme", repo: "widgets", repositoryId: 4242, installationId: 77 } as const;

/**
 * Serves a real git repository with these files (merged over the sample repository's) as
 * `acme/widgets`, and returns the commit its tarball stands for.
 */
export function serveWidgets(github: LoopbackGitHub, files: Record<string, string>): { sha: string; directory: string } {
  const sample = createSampleRepository({ files });
  github.serveRepository({ owner: WIDGETS.owner, repo: WIDGETS.repo, id: WIDGETS.repositoryId, installationId: WIDGETS.installationId, files, sourceDirectory: sample.directory });
  return sample;
}

/** An org policy that lets one person and one repository have up to 100 live environments, for suites that open many. */
export const ROOMY_ORG_POLICY = "profiles:\n  human:\n    concurrency: { perRepository: 100, perActor: 100 }\n";

/** Serves `.github/paddock-policy.yml` in the org's `.github` repository, where Paddock reads the org policy. */
export function serveOrgPolicy(github: LoopbackGitHub, options: { owner: string; installationId: number; text: string }): void {
  github.serveRepository({ owner: options.owner, repo: ".github", id: 1, installationId: options.installationId, files: { ".github/paddock-policy.yml": options.text } });
}

/** Registers the pull request as open on the loopback GitHub and sends its signed `pull_request` delivery. */
export async function deliverPullRequest(options: {
  github: LoopbackGitHub;
  app: Pick<PaddockUnderTest, "webhookUrl">;
  spec: Partial<PullRequestEventSpec> & Pick<PullRequestEventSpec, "headSha">;
  id: string;
}): Promise<{ reply: WebhookReply; payload: PullRequestPayload }> {
  const payload = buildPullRequestPayload({ action: "opened", ...WIDGETS, number: 7, ...options.spec });
  options.github.setPullRequest({ owner: payload.repository.owner.login, repo: payload.repository.name, pullRequest: toServedPullRequest(payload) });
  const reply = await sendWebhook({ url: options.app.webhookUrl, delivery: { name: "pull_request", id: options.id, payload, secret: LOOPBACK_WEBHOOK_SECRET } });
  return { reply, payload };
}
