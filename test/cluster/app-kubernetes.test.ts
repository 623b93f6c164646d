import { CoreV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPaddockApp } from "../../app/paddock-app.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { createClusterApprovalStore, nameApprovalConfigMap } from "../../src/replicas/cluster-approval-store.ts";
import { createClusterSpendLedger } from "../../src/replicas/cluster-spend-ledger.ts";
import { createCoordinationApi } from "../../src/replicas/lease-api.ts";
import type { ApprovalStore } from "../../src/policy/records/approval-store.ts";
import { createPaddockService, type PaddockService } from "../../src/service/paddock-service.ts";
import type { GitHubRequester } from "../../src/github/repository-gateway.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { createTestProbot, type TestProbot } from "../support/probot-harness.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";

const controlPlane = useSharedControlPlane();
const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);

const CONFIG = [
  "environment:",
  '  resources: { cpu: 500m, memory: 512Mi }',
  "steps:",
  "  - name: build",
  "    image: node:24",
  "    run: npm run build",
  "  - name: test",
  "    image: node:24",
  "    run: npm test",
  "    timeout: 5s",
  "    junit: reports/junit.xml",
  "",
].join("\n");

/** A JUnit summary as the step container writes it to its termination message. */
const FAILING_SUMMARY = JSON.stringify({
  paddock: "junit-summary/v1",
  tests: 2,
  failed: 1,
  errors: 0,
  skipped: 0,
  omitted: 0,
  cases: [{ kind: "failure", name: "multiplies", classname: "math", file: "/workspace/test/math.test.js", line: "9", message: "6 !== 7" }],
});

// kwok ends each step's pod as these annotations say; a test sets them per step name.
let kwokBehaviour: Record<string, Record<string, string>> = {};
let fake: FakeGitHub;
let app: TestProbot;
let service: PaddockService;
let approvals: ApprovalStore;

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  const logger = pino({ level: "silent" });
  const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane), logger, podAnnotations: (step) => kwokBehaviour[step.name] ?? {} });
  // Spend and approvals in ConfigMaps of Paddock's namespace, as replicas keep them.
  const api = createCoordinationApi({ kubeConfig: impersonate(controlPlane), namespace: "paddock-system" });
  approvals = createClusterApprovalStore({ api, logger });
  service = createPaddockService({ provider, logger, governance: { ledger: createClusterSpendLedger({ api, logger }), approvals } });
});

beforeEach(async () => {
  // The control plane listens on 127.0.0.1, so loopback stays open while GitHub is faked.
  fake = createFakeGitHub({ allowLoopback: true });
  app = await createTestProbot({ appFn: createPaddockApp({ service }), logLevel: "info" });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

afterAll(async () => {
  await service.onIdle();
});

/** Delivers a real opened payload for a pull request of its own and returns its environment name. */
async function openPullRequest(number: number, sha: string) {
  // Patched: number, head SHA and repository id, so each test has its own environment.
  const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), {
    number,
    "pull_request.number": number,
    "pull_request.head.sha": sha,
  });
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  fake.setFile({ owner, repo, ref: sha, path: ".github/paddock.yml", content: CONFIG });
  fake.setPullRequest({ owner, repo, pullRequest: payload.pull_request });
  await app.receive({ name: "pull_request", payload, id: `delivery-open-${number}` });
  await service.onIdle();
  return { payload, name: nameEnvironment({ repositoryName: repo, key: { repositoryId: payload.repository.id, pullRequest: number } }) };
}

describe("app on the Kubernetes provider", () => {
  it("reports a failing test from the termination message as an annotation", async () => {
    kwokBehaviour = { test: { "paddock.test/exit-code": "1", "paddock.test/termination-message": FAILING_SUMMARY } };

    const { name, payload } = await openPullRequest(7001, "a".repeat(40));

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations.filter((annotation) => annotation.annotation_level === "failure")).toEqual([
      expect.objectContaining({ path: "test/math.test.js", start_line: 9, title: "multiplies" }),
    ]);
    expect(run?.output.summary).toContain(`Environment \`${name}\` on the kubernetes provider`);
    const mints = fake.calls.filter((call) => call.operationId === "apps/create-installation-access-token" && call.body !== undefined);
    expect(mints.map((call) => call.body)).toContainEqual({ repositories: [payload.repository.name], permissions: { contents: "read" } });
    const namespace = await core.readNamespace({ name });
    expect(namespace.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    // The run's check run is recorded on the namespace, and the in-progress mark is gone.
    expect(namespace.metadata?.annotations?.["paddock.dev/check-run-id"]).toBe(String(run?.id));
    expect(namespace.metadata?.annotations?.["paddock.dev/installation-id"]).toBe(String(payload.installation?.id));
    expect(namespace.metadata?.annotations?.["paddock.dev/run-started-at"]).toBeUndefined();
  });

  it("reports a step past its timeout as timed out", async () => {
    kwokBehaviour = { test: { "paddock.test/run-seconds": "30" } };

    await openPullRequest(7002, "b".repeat(40));

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("timed_out");
  });

  it("deletes the namespace when the pull request closes", async () => {
    kwokBehaviour = {};
    const { name, payload } = await openPullRequest(7003, "c".repeat(40));
    expect((await core.readNamespace({ name })).metadata?.name).toBe(name);

    const approval = { repositoryId: payload.repository.id, pullRequest: 7003, headSha: "c".repeat(40), login: "Codertocat", permission: "admin", via: "label", at: new Date().toISOString() } as const;
    await approvals.record(approval);

    await app.receive({ name: "pull_request", payload: patchPayload(payload, { action: "closed" }), id: "delivery-close-7003" });
    await service.onIdle();

    const remaining = await core.listNamespace({ labelSelector: `paddock.dev/environment=${name}` });
    expect(remaining.items).toEqual([]);
    // The closed pull request's approvals are deleted with it.
    const approvalConfigMaps = await core.listNamespacedConfigMap({ namespace: "paddock-system", fieldSelector: `metadata.name=${nameApprovalConfigMap(approval)}` });
    expect(approvalConfigMaps.items).toEqual([]);
  });

  it("deletes a swept pull request's approvals", async () => {
    kwokBehaviour = {};
    const { name, payload } = await openPullRequest(7004, "d".repeat(40));
    const approval = { repositoryId: payload.repository.id, pullRequest: 7004, headSha: "d".repeat(40), login: "Codertocat", permission: "admin", via: "label", at: new Date().toISOString() } as const;
    await approvals.record(approval);
    // The close event was lost: GitHub lists no open pull request any more.
    fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, []));
    // Earlier test files on this control plane can leave agent-branch environments, whose branches are gone.
    fake.on("GET /repos/{owner}/{repo}/branches/{branch}", (request) => jsonResponse(404, { message: "Branch not found", documentation_url: request.documentationUrl, status: "404" }));
    const github = (await app.probot.auth(payload.installation!.id)) as unknown as GitHubRequester;

    const report = await service.sweep({ githubFor: async () => github });
    await service.onIdle();

    // Environments of the earlier tests are swept too, since no pull request is open.
    expect(report.removed.filter((verdict) => verdict.name === name).map((verdict) => verdict.reason)).toEqual(["closed"]);
    const approvalConfigMaps = await core.listNamespacedConfigMap({ namespace: "paddock-system", fieldSelector: `metadata.name=${nameApprovalConfigMap(approval)}` });
    expect(approvalConfigMaps.items).toEqual([]);
  });
});
