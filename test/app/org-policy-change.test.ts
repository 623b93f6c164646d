import { existsSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { PREVIEW_DEPLOYMENT_ANNOTATION } from "../../src/github/preview-deployment.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { serveOrgPolicy } from "../policy/support/serve-org-policy.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp, type AppUnderTest } from "./app-harness.ts";
import { statusObject } from "./deployment-fixtures.ts";
import { pullRequestPayload, QUICK_CONFIG, servePullRequest, shaOf } from "./governance-fixtures.ts";

const POLICY_PATH = ".github/paddock-policy.yml";
const ORG_REPOSITORY = { "repository.id": 999_100, "repository.name": ".github", "repository.full_name": "Codertocat/.github" };
const STRICTER = "profiles:\n  human:\n    resources: { cpu: 500m }\n";
const LIVE_SHA = shaOf("1");

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
  fake.setDefaultBranch({ owner: "Codertocat", repo: ".github", branch: "master" });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Runs a human pull request in Codertocat/Hello-World so that one environment is live. */
async function startLiveEnvironment(app: AppUnderTest): Promise<string> {
  const payload = pullRequestPayload("opened", LIVE_SHA);
  servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
  await app.receive({ name: "pull_request", payload });
  await app.service.onIdle();
  const name = nameEnvironment({ repositoryName: payload.repository.name, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });
  expect(existsSync(join(app.stateDir, "environments", name))).toBe(true);
  return name;
}

/** Opens a pull request on Codertocat/.github whose head contains `policy` (none when undefined). */
async function openPolicyPullRequest(app: AppUnderTest, options: { sha: string; policy?: string; basePolicy?: string }) {
  const payload = pullRequestPayload("opened", options.sha, { ...ORG_REPOSITORY, "pull_request.head.repo.full_name": "Codertocat/.github" });
  if (options.policy !== undefined) fake.setFile({ owner: "Codertocat", repo: ".github", ref: options.sha, path: POLICY_PATH, content: options.policy });
  if (options.basePolicy !== undefined) fake.setFile({ owner: "Codertocat", repo: ".github", ref: "master", path: POLICY_PATH, content: options.basePolicy });
  fake.setPullRequest({ owner: "Codertocat", repo: ".github", pullRequest: payload.pull_request });
  await app.receive({ name: "pull_request", payload });
  await app.service.onIdle();
}

/** Builds a real push payload, moved to the default branch of Codertocat/.github, with one commit that changes `modified`. */
function pushPayload(options: { after: string; modified: string[] }) {
  const example = loadWebhookExample({ name: "push", withInstallation: true });
  const commit = {
    id: options.after,
    tree_id: shaOf("e"),
    distinct: true,
    message: "Tighten the org policy",
    timestamp: "2026-12-04T10:00:00Z",
    url: `https://github.com/Codertocat/.github/commit/${options.after}`,
    author: { name: "Codertocat", email: "21031067+Codertocat@users.noreply.github.com", username: "Codertocat" },
    committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
    added: [],
    removed: [],
    modified: options.modified,
  };
  return patchPayload(example, { ...ORG_REPOSITORY, ref: "refs/heads/master", after: options.after, commits: [commit], head_commit: commit });
}

function policyRuns() {
  return fake.checkRuns().filter((run) => run.name === "paddock / policy");
}

describe("org policy pull request", () => {
  it("lists the live environments a stricter policy would deny", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);

    await openPolicyPullRequest(app, { sha: shaOf("2"), policy: STRICTER });

    const [review] = policyRuns();
    expect([review?.repo, review?.head_sha, review?.conclusion, review?.output.title]).toEqual([".github", shaOf("2"), "success", "Valid policy: 1 of 1 live environments denied, 0 shrunk"]);
    expect(review?.output.summary).toBe(
      [
        `**Valid org policy Codertocat/.github/${POLICY_PATH}@${shaOf("2").slice(0, 12)}.**`,
        `**Would be denied (flagged on their pull requests after merge):**\n- \`${live}\` (Codertocat/Hello-World#2, human): cpu 1, set by the repository, exceeds profiles.human.resources.cpu 500m`,
      ].join("\n\n"),
    );
  });

  it("fails an invalid policy with an annotation at the line", async () => {
    const app = await startApp();

    await openPolicyPullRequest(app, { sha: shaOf("3"), policy: "profiles:\n  human:\n    resources: { cpu: 2 cores }\n" });

    const [review] = policyRuns();
    expect([review?.conclusion, review?.output.title]).toEqual(["failure", "Invalid org policy: 1 problem"]);
    expect(review?.annotations).toEqual([
      {
        path: POLICY_PATH,
        start_line: 3,
        end_line: 3,
        annotation_level: "failure",
        title: "Invalid org policy: profiles.human.resources.cpu",
        message: 'profiles.human.resources.cpu: invalid CPU quantity "2 cores": use a positive Kubernetes quantity such as 1, 0.5 or 500m',
      },
    ]);
  });

  it("posts no review when the policy file is unchanged", async () => {
    const app = await startApp();

    await openPolicyPullRequest(app, { sha: shaOf("4"), policy: STRICTER, basePolicy: STRICTER });

    expect(policyRuns()).toEqual([]);
  });
});

describe("org policy merge", () => {
  it("flags live environments the merged policy denies", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);
    serveOrgPolicy(fake, { owner: "Codertocat", text: STRICTER, commitSha: shaOf("5"), branch: "master" });

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("5"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    expect(policyRuns().map((run) => [run.repo, run.head_sha, run.conclusion, run.output.title])).toEqual([
      ["Hello-World", LIVE_SHA, "neutral", "Flagged: the org policy changed"],
      [".github", shaOf("5"), "success", "Valid policy: 1 of 1 live environments denied, 0 shrunk"],
    ]);
    expect(policyRuns()[0]?.output.summary).toContain(`- cpu 1, set by the repository, exceeds profiles.human.resources.cpu 500m`);
    expect(existsSync(join(app.stateDir, "environments", live))).toBe(true);
  });

  it("tears down live environments when the policy says so", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);
    serveOrgPolicy(fake, { owner: "Codertocat", text: `${STRICTER}onPolicyChange: teardown\n`, commitSha: shaOf("6"), branch: "master" });

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("6"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    expect(policyRuns().map((run) => [run.repo, run.output.title])).toEqual([
      ["Hello-World", "Torn down: the org policy changed"],
      [".github", "Valid policy: 1 of 1 live environments denied, 0 shrunk"],
    ]);
    expect(existsSync(join(app.stateDir, "environments", live))).toBe(false);
  });

  it("marks a torn-down environment's preview inactive", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);
    // The environment's preview deployment, as a run with a preview host records it.
    await createLocalProvider({ stateDir: app.stateDir, logger: pino({ level: "silent" }) }).annotate({ environmentName: live, annotations: { [PREVIEW_DEPLOYMENT_ANNOTATION]: "4711" } });
    const statuses: Array<{ path: string; body: unknown }> = [];
    fake.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", (request) => {
      statuses.push({ path: request.path, body: request.body });
      return jsonResponse(201, statusObject(request.body as { state: string }));
    });
    serveOrgPolicy(fake, { owner: "Codertocat", text: `${STRICTER}onPolicyChange: teardown\n`, commitSha: shaOf("8"), branch: "master" });

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("8"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    expect(existsSync(join(app.stateDir, "environments", live))).toBe(false);
    expect(statuses).toEqual([{ path: "/repos/Codertocat/Hello-World/deployments/4711/statuses", body: { state: "inactive", description: "Environment torn down: policy" } }]);
  });

  it("ignores a push that does not touch the policy", async () => {
    const app = await startApp();

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("7"), modified: ["profile/README.md"] }) });
    await app.service.onIdle();

    expect(fake.checkRuns()).toEqual([]);
    expect(app.logs.filter((line) => line.msg === "push ignored").map((line) => line.reason)).toEqual(["not an org policy change"]);
  });
});
