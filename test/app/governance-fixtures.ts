import type { FakeGitHub } from "../support/fake-github.ts";
import { githubErrorBody, jsonResponse } from "../support/fake-github-types.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";

/** A config whose one step passes quickly in the sandbox. */
export const QUICK_CONFIG = ["environment:", '  resources: { cpu: "1", memory: 1Gi }', "  ttl: 2h", "steps:", "  - name: check", "    run: test -f package.json", ""].join("\n");

/** Builds a real `pull_request` payload with its head moved to `sha` and the given fields patched. */
export function pullRequestPayload(action: "opened" | "synchronize", sha: string, patches: Record<string, unknown> = {}) {
  return patchPayload(loadWebhookExample({ name: "pull_request", action, withInstallation: true }), { "pull_request.head.sha": sha, ...patches });
}

type PullRequestPayload = ReturnType<typeof pullRequestPayload>;

/**
 * Creates a sample repository for the payload's head commit and serves it: the head's config
 * and tarball, the default branch's config (`baseConfig`, none when undefined), and the open
 * pull request as GitHub's pulls endpoint returns it.
 */
export function servePullRequest(fake: FakeGitHub, options: { payload: PullRequestPayload; headConfig: string; baseConfig?: string }) {
  const { payload, headConfig, baseConfig } = options;
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const sample = createSampleRepository({ files: { ".github/paddock.yml": headConfig } });
  const sha = payload.pull_request.head.sha;
  fake.setFile({ owner, repo, ref: sha, path: ".github/paddock.yml", content: headConfig });
  if (baseConfig !== undefined) fake.setFile({ owner, repo, ref: payload.repository.default_branch, path: ".github/paddock.yml", content: baseConfig });
  fake.setTarball({ owner, repo, ref: sha, directory: sample.directory, sha });
  fake.setPullRequest({ owner, repo, pullRequest: payload.pull_request });
}

/** Serves the collaborator permission endpoint from a table of roles; unknown users get 404. */
export function serveRoles(fake: Pick<FakeGitHub, "on">, roles: Record<string, "admin" | "maintain" | "write" | "triage" | "read">) {
  const permissionOf = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read" } as const;
  fake.on("GET /repos/{owner}/{repo}/collaborators/{username}/permission", (request) => {
    const role = roles[request.params.username ?? ""];
    if (!role) return jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));
    const user = { login: request.params.username, id: 1000, type: "User" };
    return jsonResponse(200, { permission: permissionOf[role], role_name: role, user });
  });
}

/** Returns a 40-digit commit SHA made of one repeated hexadecimal digit, for readable tests. */
export function shaOf(digit: string): string {
  return digit.repeat(40);
}
