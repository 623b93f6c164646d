import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository, FAILING_TEST_LINE, SAMPLE_CONFIG } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp } from "./app-harness.ts";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.assertNoViolations();
  fake.close();
});

/** A real pull_request payload whose head is the sample repository's commit. */
function pullRequestPayload(action: "opened" | "synchronize" | "closed", sha: string) {
  const payload = loadWebhookExample({ name: "pull_request", action, withInstallation: true });
  // Patched: the head SHA, so that config and tarball are served for the sample commit.
  return patchPayload(payload, { "pull_request.head.sha": sha });
}

function serveRepository(options: { owner: string; repo: string; sha: string; directory: string; config?: string; pullRequest?: { number: number } }) {
  const { owner, repo, sha, directory } = options;
  const openPullRequest: { number: number } = { number: 2, state: "open", merged: false, head: { sha } } as { number: number };
  fake.setPullRequest({ owner, repo, pullRequest: options.pullRequest ?? openPullRequest });
  if (options.config !== undefined) fake.setFile({ owner, repo, ref: sha, path: ".github/paddock.yml", content: options.config });
  fake.setTarball({ owner, repo, ref: sha, directory, sha });
}

describe("pull request pipeline", () => {
  it("builds and tests in a sandbox and reports failures as annotations", async () => {
    const sample = createSampleRepository();
    const payload = pullRequestPayload("opened", sample.sha);
    const owner = payload.repository.owner.login;
    const repo = payload.repository.name;
    serveRepository({ owner, repo, sha: sample.sha, directory: sample.directory, config: SAMPLE_CONFIG });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload, id: "delivery-opened" });
    await app.service.onIdle();

    const environment = nameEnvironment({ repositoryName: repo, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });
    const runs = fake.checkRuns();
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.name).toBe(`paddock / ${environment}`);
    expect(run.head_sha).toBe(sample.sha);
    expect(run.status).toBe("completed");
    expect(run.conclusion).toBe("failure");
    expect(run.external_id).toBe(environment);
    expect(run.annotations).toHaveLength(1);
    expect(run.annotations[0]).toMatchObject({
      path: "test/math.test.js",
      start_line: FAILING_TEST_LINE,
      end_line: FAILING_TEST_LINE,
      annotation_level: "failure",
      title: "multiplies",
    });
    expect(run.output.summary).toContain("| build |");
    expect(run.output.summary).toContain("| test |");
    expect(run.output.summary).toContain("**Cost** in USD, prices from OpenCost");
    // GNU time measures each step in the sandbox, so the cost rests on measured usage.
    expect(run.output.summary).toMatch(/\| build \| measured usage \| (\d+\.\d{4}|< 0\.0001) \|/);
    expect(run.output.summary).toMatch(/\| Total so far \| {2}\| (\d+\.\d{4}|< 0\.0001) \|/);
    expect(fake.tokenMints(payload.installation!.id)).toBe(1);
  });

  it("passes when every step succeeds", async () => {
    const sample = createSampleRepository({ files: { "test/math.test.js": 'require("node:test")("ok", () => {});\n' } });
    const payload = pullRequestPayload("synchronize", sample.sha);
    serveRepository({ owner: payload.repository.owner.login, repo: payload.repository.name, sha: sample.sha, directory: sample.directory, config: SAMPLE_CONFIG });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("success");
    expect(run?.annotations).toEqual([]);
  });

  it("gives a neutral check run without config", async () => {
    const sample = createSampleRepository();
    const payload = pullRequestPayload("opened", sample.sha);
    serveRepository({ owner: payload.repository.owner.login, repo: payload.repository.name, sha: sample.sha, directory: sample.directory });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("neutral");
    expect(run?.output.summary).toContain("add .github/paddock.yml");
    expect(fake.downloads).toEqual([]);
  });

  it("fails with an annotation on an invalid config and runs nothing", async () => {
    const sample = createSampleRepository();
    const payload = pullRequestPayload("opened", sample.sha);
    const config = "steps:\n  - name: test\n    run: npm test\n    timeout: 10 minutes\n";
    serveRepository({ owner: payload.repository.owner.login, repo: payload.repository.name, sha: sample.sha, directory: sample.directory, config });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations).toEqual([
      {
        path: ".github/paddock.yml",
        start_line: 4,
        end_line: 4,
        annotation_level: "failure",
        title: "Invalid Paddock config: steps.0.timeout",
        message: 'steps.0.timeout: invalid duration "10 minutes": use a positive duration such as 90s, 10m, 24h or 1h30m',
      },
    ]);
    expect(fake.downloads).toEqual([]);
  });

  it("keeps serving other repositories after an invalid config", async () => {
    const broken = createSampleRepository();
    const healthy = createSampleRepository({ files: { "test/math.test.js": 'require("node:test")("ok", () => {});\n' } });
    const first = pullRequestPayload("opened", broken.sha);
    const second = patchPayload(pullRequestPayload("opened", healthy.sha), {
      "repository.id": 999_001,
      "repository.name": "other",
      "repository.full_name": "Codertocat/other",
      // The head lives in the same repository; otherwise this would be a fork pull request.
      "pull_request.head.repo.full_name": "Codertocat/other",
    });
    serveRepository({ owner: first.repository.owner.login, repo: first.repository.name, sha: broken.sha, directory: broken.directory, config: "steps:\n\t- bad" });
    serveRepository({ owner: second.repository.owner.login, repo: "other", sha: healthy.sha, directory: healthy.directory, config: SAMPLE_CONFIG, pullRequest: second.pull_request });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload: first });
    await app.receive({ name: "pull_request", payload: second });
    await app.service.onIdle();

    // The two repositories are served concurrently, so their check runs may be created in either order.
    const conclusions = new Map(fake.checkRuns().map((run) => [run.repo, run.conclusion]));
    expect(fake.checkRuns().length).toBe(2);
    expect(conclusions.get(first.repository.name)).toBe("failure");
    expect(conclusions.get("other")).toBe("success");
  });

  it("tears the environment down on close", async () => {
    const sample = createSampleRepository({ files: { "test/math.test.js": 'require("node:test")("ok", () => {});\n' } });
    const opened = pullRequestPayload("opened", sample.sha);
    serveRepository({ owner: opened.repository.owner.login, repo: opened.repository.name, sha: sample.sha, directory: sample.directory, config: SAMPLE_CONFIG });
    const app = await startApp();
    const environment = nameEnvironment({ repositoryName: opened.repository.name, key: { repositoryId: opened.repository.id, pullRequest: opened.pull_request.number } });

    await app.receive({ name: "pull_request", payload: opened });
    await app.service.onIdle();
    expect(existsSync(join(app.stateDir, "environments", environment))).toBe(true);

    // The recorded closed example belongs to the same repository and pull request number.
    const closed = patchPayload(loadWebhookExample({ name: "pull_request", action: "closed", withInstallation: true }), {
      "pull_request.number": opened.pull_request.number,
      "repository.id": opened.repository.id,
      "repository.name": opened.repository.name,
    });
    await app.receive({ name: "pull_request", payload: closed });
    await app.service.onIdle();
    expect(existsSync(join(app.stateDir, "environments", environment))).toBe(false);
  });

  it("creates nothing for an event that arrives after the close", async () => {
    const sample = createSampleRepository();
    const payload = pullRequestPayload("opened", sample.sha);
    const owner = payload.repository.owner.login;
    const repo = payload.repository.name;
    serveRepository({ owner, repo, sha: sample.sha, directory: sample.directory, config: SAMPLE_CONFIG });
    // Patched: GitHub now reports the pull request closed, as it is when a delivery comes late.
    fake.setPullRequest({ owner, repo, pullRequest: patchPayload(payload.pull_request, { state: "closed" }) });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("neutral");
    expect(run?.output.summary).toContain(`Nothing ran: pull request #${payload.pull_request.number} is closed`);
    expect(fake.downloads).toEqual([]);
    expect(existsSync(join(app.stateDir, "environments"))).toBe(false);
  });
});
