import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createFakeGitHub, type FakeGitHub } from "./fake-github.ts";
import { FAKE_APP_ID } from "./fake-github-types.ts";
import { validateGitHubResponse } from "./openapi-response-validator.ts";

const OWNER = "octo-org";
const REPO = "widgets";
const HEAD_SHA = "ce587453ced02b1526dfb4cb910479d431683101";
const NOW = new Date("2026-03-01T12:00:00.000Z");
// Octokit logs every failed request to the console, and these tests expect failures.
const SILENT_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let fake: FakeGitHub;
let octokit: Octokit;

beforeEach(() => {
  fake = createFakeGitHub({ now: () => NOW });
  octokit = new Octokit({ auth: "ghp_test", log: SILENT_LOG });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

function annotations(from: number, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    path: "src/app.ts",
    start_line: from + index,
    end_line: from + index,
    annotation_level: "failure" as const,
    message: `test ${from + index} failed`,
  }));
}

// Octokit's route types reject invalid parameters at compile time, but these requests are invalid on purpose.
function sendUntyped(route: string, parameters: Record<string, unknown>) {
  return octokit.request(route, parameters);
}

async function createRun(name = "paddock / tests") {
  const { data } = await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name, head_sha: HEAD_SHA, status: "in_progress" });
  return data;
}

describe("fake GitHub check runs", () => {
  it("records a valid create", async () => {
    const run = await createRun();

    expect(run.id).toBe(1);
    expect(run.status).toBe("in_progress");
    expect(run.started_at).toBe("2026-03-01T12:00:00Z");
    expect(run.app?.id).toBe(FAKE_APP_ID);
    expect(fake.calls).toEqual([
      {
        method: "POST",
        path: `/repos/${OWNER}/${REPO}/check-runs`,
        operationId: "checks/create",
        pathTemplate: "/repos/{owner}/{repo}/check-runs",
        params: { owner: OWNER, repo: REPO },
        query: {},
        body: { name: "paddock / tests", head_sha: HEAD_SHA, status: "in_progress" },
        status: 201,
      },
    ]);
  });

  it("returns a created run in GitHub's shape", async () => {
    const run = await createRun();

    expect(validateGitHubResponse({ method: "POST", pathTemplate: "/repos/{owner}/{repo}/check-runs", status: 201, body: run })).toEqual([]);
  });

  it("rejects a bogus status as a violation", async () => {
    const create = sendUntyped("POST /repos/{owner}/{repo}/check-runs", {
      owner: OWNER,
      repo: REPO,
      name: "paddock",
      head_sha: HEAD_SHA,
      status: "bogus",
    });

    await expect(create).rejects.toMatchObject({ status: 422 });
    const violations = fake.takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]?.status).toBe(422);
    expect(violations[0]?.message).toContain('body/status must be equal to one of the allowed values (queued, in_progress, completed), got "bogus"');
    expect(fake.checkRuns()).toEqual([]);
  });

  it("lists violations in assertNoViolations", async () => {
    await expect(sendUntyped("POST /repos/{owner}/{repo}/check-runs", { owner: OWNER, repo: REPO, name: "x" })).rejects.toThrow();

    expect(() => fake.assertNoViolations()).toThrow(/recorded 1 violation\(s\):\n- \[422\] Invalid GitHub request POST/);
    fake.takeViolations();
  });

  it("merges an update and completes the run", async () => {
    const run = await createRun();
    await octokit.rest.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: run.id,
      conclusion: "failure",
      output: { title: "2 failed", summary: "2 of 40 tests failed" },
    });

    const [stored] = fake.checkRuns();
    expect(stored?.status).toBe("completed");
    expect(stored?.conclusion).toBe("failure");
    expect(stored?.completed_at).toBe("2026-03-01T12:00:00Z");
    expect(stored?.output).toEqual({ title: "2 failed", summary: "2 of 40 tests failed", text: null });
    expect(stored?.updateCount).toBe(1);
  });

  it("appends annotations across updates", async () => {
    const run = await createRun();
    for (const from of [1, 51]) {
      await octokit.rest.checks.update({
        owner: OWNER,
        repo: REPO,
        check_run_id: run.id,
        output: { title: "Tests", summary: "failures", annotations: annotations(from, 50) },
      });
    }

    const [stored] = fake.checkRuns();
    expect(stored?.annotations).toHaveLength(100);
    expect(stored?.annotations[99]?.message).toBe("test 100 failed");
    const { data } = await octokit.rest.checks.get({ owner: OWNER, repo: REPO, check_run_id: run.id });
    expect(data.output.annotations_count).toBe(100);
  });

  it("rejects an update with 51 annotations", async () => {
    const run = await createRun();
    const update = octokit.rest.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: run.id,
      output: { title: "Tests", summary: "failures", annotations: annotations(1, 51) },
    });

    await expect(update).rejects.toMatchObject({ status: 422 });
    const violations = fake.takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toContain("body/output/annotations must NOT have more than 50 items");
    expect(fake.checkRuns()[0]?.annotations).toEqual([]);
  });

  it("rejects an update completed without a conclusion", async () => {
    const run = await createRun();
    const update = octokit.rest.checks.update({ owner: OWNER, repo: REPO, check_run_id: run.id, status: "completed" });

    await expect(update).rejects.toMatchObject({ status: 422 });
    const violations = fake.takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toContain("body must have required property 'conclusion'");
    expect(fake.checkRuns()[0]?.status).toBe("in_progress");
  });

  it("rejects a create completed without a conclusion", async () => {
    const create = octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "paddock", head_sha: HEAD_SHA, status: "completed" });

    await expect(create).rejects.toMatchObject({ status: 422, response: { data: { errors: ["conclusion is required when status is completed"] } } });
    expect(fake.takeViolations().map((violation) => violation.message)).toEqual([
      `POST /repos/${OWNER}/${REPO}/check-runs: conclusion is required when status is completed`,
    ]);
    expect(fake.checkRuns()).toEqual([]);
  });

  it("rejects a misspelled update field", async () => {
    const run = await createRun();
    const update = sendUntyped("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner: OWNER,
      repo: REPO,
      check_run_id: run.id,
      conlusion: "success",
    });

    await expect(update).rejects.toMatchObject({ status: 422 });
    const [violation] = fake.takeViolations();
    expect(violation?.message).toContain("body/conlusion is not a property of this operation");
  });

  it("gets a stored run in GitHub's shape", async () => {
    const run = await createRun();
    const { data, status } = await octokit.rest.checks.get({ owner: OWNER, repo: REPO, check_run_id: run.id });

    expect(status).toBe(200);
    expect(data.name).toBe("paddock / tests");
    const pathTemplate = "/repos/{owner}/{repo}/check-runs/{check_run_id}";
    expect(validateGitHubResponse({ method: "GET", pathTemplate, status: 200, body: data })).toEqual([]);
  });

  it("returns 404 for an unknown run", async () => {
    await expect(octokit.rest.checks.get({ owner: OWNER, repo: REPO, check_run_id: 99 })).rejects.toMatchObject({
      status: 404,
      response: {
        data: { message: "Not Found", documentation_url: "https://docs.github.com/rest/checks/runs#get-a-check-run", status: "404" },
      },
    });
  });

  it("lists the latest run per name for a ref", async () => {
    await createRun("paddock / tests");
    await createRun("paddock / tests");
    await createRun("paddock / build");

    const { data } = await octokit.rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: HEAD_SHA });
    expect(data.total_count).toBe(2);
    expect(data.check_runs.map((run) => [run.id, run.name])).toEqual([
      [3, "paddock / build"],
      [2, "paddock / tests"],
    ]);
    const pathTemplate = "/repos/{owner}/{repo}/commits/{ref}/check-runs";
    expect(validateGitHubResponse({ method: "GET", pathTemplate, status: 200, body: data })).toEqual([]);
  });

  it("lists every run for a ref with filter all", async () => {
    await createRun("paddock / tests");
    await createRun("paddock / tests");

    const { data } = await octokit.rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: HEAD_SHA, filter: "all", check_name: "paddock / tests" });
    expect(data.check_runs.map((run) => run.id)).toEqual([2, 1]);
  });
});
