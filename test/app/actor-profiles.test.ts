import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { serveOrgPolicy, POLICY_COMMIT } from "../policy/support/serve-org-policy.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { githubErrorBody, jsonResponse } from "../support/fake-github-types.ts";
import { startApp } from "./app-harness.ts";
import { pullRequestPayload, QUICK_CONFIG, servePullRequest, shaOf } from "./governance-fixtures.ts";

// The summary escapes "@" so that GitHub does not read it as a mention.
const POLICY_SOURCE = `Judged under the org policy Codertocat/.github/.github/paddock-policy.yml\\@${POLICY_COMMIT.slice(0, 12)}.`;

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

function environmentRecord(stateDir: string, payload: ReturnType<typeof pullRequestPayload>) {
  const name = nameEnvironment({ repositoryName: payload.repository.name, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });
  return JSON.parse(readFileSync(join(stateDir, "environments", name, "environment.json"), "utf8")) as { environment: { annotations: Record<string, string>; ttlSeconds: number } };
}

describe("actor profiles", () => {
  it("human runs under human profile", async () => {
    const payload = pullRequestPayload("opened", shaOf("1"));
    servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
    serveOrgPolicy(fake, { owner: "Codertocat", text: "profiles:\n  human:\n    ttl: { max: 12h }\n" });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("success");
    expect(run?.output.summary).toContain("- actor Codertocat is judged as human (no agent identity or agent branch pattern matched)");
    expect(run?.output.summary).toContain(POLICY_SOURCE);
    expect(environmentRecord(app.stateDir, payload).environment.annotations).toMatchObject({ "paddock.dev/actor": "Codertocat", "paddock.dev/actor-class": "human", "paddock.dev/ttl": "2h" });
  });

  it("agent identity over CPU cap denied", async () => {
    const payload = pullRequestPayload("opened", shaOf("2"), { "sender.login": "Copilot", "sender.type": "Bot" });
    servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
    serveOrgPolicy(fake, { owner: "Codertocat", text: "profiles:\n  agent:\n    resources: { cpu: 500m }\n" });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("failure");
    expect(run?.output.title).toBe("Nothing ran: denied by policy");
    expect(run?.annotations).toEqual([
      {
        path: ".github/paddock.yml",
        start_line: 2,
        end_line: 2,
        annotation_level: "failure",
        title: "Exceeds org policy: profiles.agent.resources.cpu",
        message: "environment.resources.cpu 1 exceeds profiles.agent.resources.cpu 500m",
      },
    ]);
    expect(run?.output.summary).toContain("- actor Copilot is judged as agent (bot identity of the copilot agent)");
    expect(fake.downloads).toEqual([]);
  });

  it("agent branch runs under agent profile", async () => {
    const payload = pullRequestPayload("opened", shaOf("3"), { "pull_request.head.ref": "codex/fix-typo" });
    servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("success");
    expect(run?.output.summary).toContain("- allowed under the agent profile: cpu 1, memory 1Gi, ttl 2h, no network, no secrets, budget projection (whole TTL) 0.0717 USD (default org policy (no policy file))");
    expect(run?.output.summary).toContain("- actor Codertocat is judged as agent (branch pattern of the codex agent)");
    expect(environmentRecord(app.stateDir, payload).environment.annotations["paddock.dev/actor-class"]).toBe("agent");
  });

  it("agent branch asking network denied", async () => {
    const config = QUICK_CONFIG.replace("  ttl: 2h", "  ttl: 2h\n  egress: [registry.npmjs.org]");
    const payload = pullRequestPayload("opened", shaOf("4"), { "pull_request.head.ref": "claude/issue-12" });
    servePullRequest(fake, { payload, headConfig: config, baseConfig: config });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations.map((annotation) => [annotation.start_line, annotation.title, annotation.message])).toEqual([
      [4, "Exceeds org policy: profiles.agent.egress", "environment.egress host registry.npmjs.org is not in profiles.agent.egress []"],
    ]);
  });

  it("fork waits for approval button", async () => {
    const payload = pullRequestPayload("opened", shaOf("5"), { "pull_request.head.repo.full_name": "stranger/Hello-World" });
    servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("action_required");
    expect(run?.output.title).toBe("Waiting for approval: nothing ran yet");
    expect(run?.actions).toEqual([{ label: "Approve and run", description: "Run this commit in a Paddock environment", identifier: "approve:2" }]);
    expect(run?.output.summary).toContain("- fork environments run only after someone with write permission or more (write, maintain, admin) approves this head commit");
    expect(fake.downloads).toEqual([]);
  });

  it("settings change applies after merge", async () => {
    const headConfig = QUICK_CONFIG.replace("ttl: 2h", "ttl: 10h");
    const payload = pullRequestPayload("opened", shaOf("6"));
    servePullRequest(fake, { payload, headConfig, baseConfig: QUICK_CONFIG });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("success");
    expect(run?.output.summary).toContain(
      "- This pull request changes the environment settings in .github/paddock.yml. They take effect after merge: this run uses the settings of master. It would change environment.ttl: 2h on the default branch, 10h in this pull request.",
    );
    expect(environmentRecord(app.stateDir, payload).environment.ttlSeconds).toBe(7_200);
  });

  it("unreadable org policy denies", async () => {
    const payload = pullRequestPayload("opened", shaOf("7"));
    servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
    // Contents of Hello-World are served; the org's .github repository answers 403.
    fake.on("GET /repos/{owner}/{repo}/contents/{path}", (request) => {
      if (request.params.repo === ".github") return jsonResponse(403, githubErrorBody(403, "Resource not accessible by integration", request.documentationUrl));
      const content = Buffer.from(QUICK_CONFIG).toString("base64");
      return jsonResponse(200, { type: "file", encoding: "base64", size: QUICK_CONFIG.length, name: "paddock.yml", path: request.params.path, content, sha: shaOf("c") });
    });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect([run?.conclusion, run?.output.title]).toEqual(["failure", "Nothing ran: denied by policy"]);
    expect(run?.output.summary).toContain(
      "- org policy Codertocat/.github/.github/paddock-policy.yml could not be read (HTTP 403: Resource not accessible by integration - https://docs.github.com/rest/repos/contents#get-repository-content), so nothing runs: grant Paddock read access to that repository",
    );
    expect(fake.downloads).toEqual([]);
  });
});
