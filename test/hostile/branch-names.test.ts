import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { describeInvalidBranchName } from "../../src/github/git-branch-name.ts";
import { buildEnvironmentManifests, listEnvironmentObjects } from "../../src/providers/kubernetes/manifests/environment-manifests.ts";
import { buildStepJobManifest } from "../../src/providers/kubernetes/manifests/job-manifest.ts";
import { PASSING_CONFIG, ROOMY_ORG_POLICY, WIDGETS, deliverPullRequest, serveOrgPolicy, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { LOOK_ALIKES, hostileBranchNames } from "./corpus.ts";
import { planFixture } from "./support/plan-fixture.ts";

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const hostDirectory = mkdtempSync(join(tmpdir(), "paddock-hostile-host-"));
const BRANCHES = hostileBranchNames(hostDirectory);
/** The hostile names git accepts as branch names; GitHub never sends the others, and the app ignores them. */
const GIT_BRANCHES = BRANCHES.filter((branch) => describeInvalidBranchName(branch) === undefined);
const NOT_GIT_BRANCHES = BRANCHES.filter((branch) => describeInvalidBranchName(branch) !== undefined);

/** Collects every string in a JSON value with the path that leads to it. */
function collectStrings(value: unknown, path: string[] = []): Array<{ path: string[]; text: string }> {
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => collectStrings(item, [...path, String(index)]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => collectStrings(item, [...path, key]));
  return [];
}

describe("hostile branch names", () => {
  it("become distinct DNS-1123 environment names", () => {
    const names = BRANCHES.map((branch) => nameEnvironment({ repositoryName: "widgets", key: { repositoryId: 4242, branch } }));

    expect(names.filter((name) => !DNS_1123_LABEL.test(name))).toEqual([]);
    expect(new Set(names).size).toBe(BRANCHES.length);
  });

  it.each(LOOK_ALIKES)("with a %s never share main's name", (_label, branch) => {
    const main = nameEnvironment({ repositoryName: "widgets", key: { repositoryId: 4242, branch: "main" } });

    expect(nameEnvironment({ repositoryName: "widgets", key: { repositoryId: 4242, branch } })).not.toBe(main);
  });

  it("reach Kubernetes objects only as annotations or sanitized names", () => {
    const misplaced: string[] = [];
    for (const branch of BRANCHES) {
      const plan = planFixture({ config: PASSING_CONFIG, branch, number: null });
      const job = buildStepJobManifest({
        environment: plan.environment,
        step: plan.steps[0]!,
        jobName: "check-0123456789",
        secretName: "check-0123456789",
        sourceUrl: "https://api.github.com/repos/acme/widgets/tarball/0123456789abcdef0123456789abcdef01234567",
        image: "node:24",
        sourceImage: "curlimages/curl:8.11.1",
        ephemeralStorage: "4Gi",
        podAnnotations: {},
      });
      const objects = [...listEnvironmentObjects(buildEnvironmentManifests(plan.environment, { podSecurityVersion: "v1.37", ephemeralStorage: "4Gi" })), job];
      // Outside annotations, only names sanitized to DNS-1123 characters may carry a trace of the branch.
      for (const { path, text } of collectStrings(objects)) {
        if (text.includes("pwned") && !path.includes("annotations") && !DNS_1123_LABEL.test(text)) misplaced.push(`${path.join(".")}: ${JSON.stringify(text)}`);
      }
      expect(plan.environment.annotations["paddock.dev/branch"]).toBe(branch);
    }

    expect(misplaced).toEqual([]);
  });
});

describe("hostile branch names through the app", () => {
  let github: LoopbackGitHub;
  let app: PaddockUnderTest;
  let sha: string;

  beforeAll(async () => {
    github = await startLoopbackGitHub();
    sha = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG }).sha;
    serveOrgPolicy(github, { owner: WIDGETS.owner, installationId: WIDGETS.installationId, text: ROOMY_ORG_POLICY });
    // Throttling off: this suite is about input, and Probot's throttle spaces writes a second apart.
    const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { ...(options.throttle as object), enabled: false } }));
    app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit, concurrency: 4 });
    for (const [index, branch] of BRANCHES.entries()) {
      const { reply } = await deliverPullRequest({ github, app, spec: { headSha: sha, headRef: branch, number: 100 + index }, id: `delivery-branch-${index}` });
      expect(reply.status).toBe(200);
    }
    await app.service.onIdle();
  }, 120_000);

  afterAll(async () => {
    await app.stop();
    await github.close();
    github.assertNoViolations();
  });

  it("cover names git accepts and rejects", () => {
    expect(GIT_BRANCHES.length).toBeGreaterThan(5);
    expect(NOT_GIT_BRANCHES.length).toBeGreaterThan(5);
  });

  it("run every git branch to success", () => {
    const conclusions = github.checkRuns().map((run) => run.conclusion);

    expect(conclusions).toEqual(GIT_BRANCHES.map(() => "success"));
  });

  it("ignore other names with a logged reason", () => {
    const ignored = app.logs.filter((line) => line.msg === "webhook ignored" && String(line.detail).includes("pull_request.head.ref (not a git branch name, because"));

    expect(ignored).toHaveLength(NOT_GIT_BRANCHES.length);
  });

  it("run no injected command on the host", () => {
    expect(readdirSync(hostDirectory)).toEqual([]);
  });

  it("run no injected command in a sandbox", () => {
    const environments = readdirSync(join(app.stateDir, "environments"));
    const checkouts = environments.map((environment) => join(app.stateDir, "environments", environment, "checkouts", sha));
    const pwned = checkouts.flatMap((checkout) => readdirSync(checkout).filter((file) => file.startsWith("pwned")));

    expect(environments).toHaveLength(GIT_BRANCHES.length);
    expect(checkouts.every((checkout) => existsSync(join(checkout, "package.json")))).toBe(true);
    expect(pwned).toEqual([]);
  });

  it("keep each branch verbatim in the environment record", () => {
    const recorded = readdirSync(join(app.stateDir, "environments")).map((environment) => {
      const record = JSON.parse(readFileSync(join(app.stateDir, "environments", environment, "environment.json"), "utf8")) as { environment: { annotations: Record<string, string> } };
      return record.environment.annotations["paddock.dev/branch"];
    });

    expect(recorded.sort()).toEqual([...GIT_BRANCHES].sort());
  });
});
