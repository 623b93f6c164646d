import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPaddockApp } from "../../app/paddock-app.ts";
import { openFileAuditSpool } from "../../src/audit/file-audit-spool.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { createAuditTrail } from "../../src/service/audit-trail.ts";
import { createFileGovernance } from "../../src/service/create-governance.ts";
import { createPaddockService } from "../../src/service/paddock-service.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createTestProbot } from "../support/probot-harness.ts";
import { createSampleRepository, SAMPLE_CONFIG } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { POLICY_COMMIT, serveOrgPolicy } from "../policy/support/serve-org-policy.ts";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Starts the app with a local provider and an audit trail spooled to a fresh folder. */
async function startAuditedApp(options: { cluster?: string; quietMs?: number; maxDeferredWrites?: number } = {}) {
  const { cluster, ...serviceOptions } = options;
  const stateDir = mkdtempSync(join(tmpdir(), "paddock-audit-app-"));
  const logger = pino({ level: "silent" });
  const spool = await openFileAuditSpool({ directory: join(stateDir, "audit") });
  const local = createLocalProvider({ stateDir, logger });
  const service = createPaddockService({
    provider: cluster === undefined ? local : { ...local, kind: local.kind, cluster },
    logger,
    governance: createFileGovernance({ stateDir }),
    audit: createAuditTrail({ spool, logger }),
    ...serviceOptions,
  });
  const app = await createTestProbot({ appFn: createPaddockApp({ service }), logLevel: "info" });
  return { app, service, spool };
}

/** Serves an opened pull request whose head is a sample repository with SAMPLE_CONFIG. */
function servePullRequest() {
  const sample = createSampleRepository();
  // Patched: the head SHA is the sample repository's commit.
  const opened = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sample.sha });
  const owner = opened.repository.owner.login;
  const repo = opened.repository.name;
  fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: SAMPLE_CONFIG });
  fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
  fake.setPullRequest({ owner, repo, pullRequest: opened.pull_request });
  return { opened, owner };
}

describe("audit trail of a pull request", () => {
  it("spools a record per action and mirrors them on the check run", async () => {
    const { app, service, spool } = await startAuditedApp();
    const { opened } = servePullRequest();

    await app.receive({ name: "pull_request", payload: opened, id: "delivery-audit" });
    await service.onIdle();
    const closed = patchPayload(opened, { action: "closed" });
    await app.receive({ name: "pull_request", payload: closed, id: "delivery-close" });
    await service.onIdle();

    const records = await spool.list({ limit: 100 });
    expect(records.map((record) => [record.action, record.step?.name ?? null, record.step?.status ?? null])).toEqual([
      ["environment.created", null, null],
      ["step.started", "build", "running"],
      ["step.finished", "build", "success"],
      ["step.started", "test", "running"],
      ["step.finished", "test", "failure"],
      ["environment.torn_down", null, null],
    ]);
    const [run] = fake.checkRuns();
    expect(records[0]).toMatchObject({ deliveryId: "delivery-audit", checkRunId: run!.id, actor: { login: opened.sender.login }, pullRequest: opened.pull_request.number, headSha: opened.pull_request.head.sha });
    expect(records[2]!.cost).toMatchObject({ currency: "USD", method: "measured" });
    expect(records[5]).toMatchObject({ teardownReason: "closed", deliveryId: "delivery-close" });
    const notices = run!.annotations.filter((annotation) => annotation.annotation_level === "notice");
    expect(notices.map((annotation) => annotation.title)).toEqual([
      "Paddock audit: environment.created",
      "Paddock audit: step.started",
      "Paddock audit: step.finished",
      "Paddock audit: step.started",
      "Paddock audit: step.finished",
    ]);
  });

  it("records superseded unstarted commits", async () => {
    for (const maxDeferredWrites of [120, 0]) {
      const { app, service, spool } = await startAuditedApp({ quietMs: 1_500, maxDeferredWrites });
      const [first, skipped, newest] = ["first", "skipped", "newest"].map((name) => createSampleRepository({ files: { ".github/paddock.yml": "steps:\n  - name: fast\n    run: echo done\n", "commit.txt": name } }));
      const opened = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": first!.sha });
      const owner = opened.repository.owner.login;
      const repo = opened.repository.name;
      fake.setPullRequest({ owner, repo, pullRequest: opened.pull_request });
      for (const sample of [first!, skipped!, newest!]) {
        fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: "steps:\n  - name: fast\n    run: echo done\n" });
        fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
      }

      await app.receive({ name: "pull_request", payload: opened, id: `first-${maxDeferredWrites}` });
      await app.receive({ name: "pull_request", payload: patchPayload(opened, { action: "synchronize", "pull_request.head.sha": skipped!.sha }), id: `skipped-${maxDeferredWrites}` });
      await app.receive({ name: "pull_request", payload: patchPayload(opened, { action: "synchronize", "pull_request.head.sha": newest!.sha }), id: `newest-${maxDeferredWrites}` });
      await service.onIdle();

      const records = await spool.list({ limit: 100 });
      const skippedRecords = records.filter((record) => record.headSha === skipped!.sha);
      expect(skippedRecords.map((record) => [record.action, record.deliveryId, record.checkRunId])).toEqual([["run.cancelled", `skipped-${maxDeferredWrites}`, null]]);
      const skippedRun = fake.checkRuns().find((run) => run.head_sha === skipped!.sha);
      if (maxDeferredWrites === 0) expect(skippedRun).toBeUndefined();
      else expect(skippedRun!.annotations.map((annotation) => annotation.title)).toEqual(["Paddock audit: run.cancelled"]);
    }
  });

  it("names the policy, decision, authorizer and prices", async () => {
    const { app, service, spool } = await startAuditedApp();
    const { opened, owner } = servePullRequest();
    // Prices a thousand times OpenCost's, in euros, so the cost table and the records cannot pass with the defaults.
    const policyText = 'cost:\n  currency: EUR\n  prices: { cpuCoreHour: "31.611", memoryGiBHour: "4.237", gpuHour: "950", storageGiBMonth: "40" }\n';
    serveOrgPolicy(fake, { owner, text: policyText });

    await app.receive({ name: "pull_request", payload: opened, id: "delivery-policy" });
    await service.onIdle();

    const records = await spool.list({ limit: 100 });
    const hash = createHash("sha256").update(policyText).digest("hex");
    const location = `${owner}/.github/.github/paddock-policy.yml@${POLICY_COMMIT.slice(0, 12)}`;
    for (const record of records) {
      expect(record.policy).toEqual({ source: "file", location, hash });
      expect(record.decision?.allowed).toBe(true);
      expect(record.authorizer).toEqual({ login: null, id: null, via: `org policy ${location}` });
    }
    const finished = records.filter((record) => record.action === "step.finished");
    expect(finished.map((record) => record.cost?.currency)).toEqual(["EUR", "EUR"]);
    const [run] = fake.checkRuns();
    expect(run!.output.summary).toContain("**Cost** in EUR, prices from org policy, rounded to 4 decimals (totals add the exact amounts):");
  });

  it("names the cluster and uses its prices", async () => {
    const { app, service, spool } = await startAuditedApp({ cluster: "edge-1" });
    const { opened, owner } = servePullRequest();
    serveOrgPolicy(fake, { owner, text: 'cost:\n  clusters:\n    edge-1:\n      currency: CHF\n      prices: { cpuCoreHour: "0.05", memoryGiBHour: "0.006", gpuHour: "1", storageGiBMonth: "0.05" }\n' });

    await app.receive({ name: "pull_request", payload: opened, id: "delivery-cluster" });
    await service.onIdle();

    const records = await spool.list({ limit: 100 });
    expect(records.map((record) => record.environment?.cluster)).toEqual(records.map(() => "edge-1"));
    expect(records.filter((record) => record.action === "step.finished").map((record) => record.cost?.currency)).toEqual(["CHF", "CHF"]);
    expect(fake.checkRuns()[0]!.output.summary).toContain("**Cost** in CHF, prices from org policy, cluster edge-1, rounded to 4 decimals (totals add the exact amounts):");
  });
});
