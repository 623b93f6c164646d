import { CoreV1Api } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import type { ApprovalRecord } from "../../src/policy/records/approval-store.ts";
import { APPROVAL_COMPONENT, createClusterApprovalStore, MAX_APPROVALS_PER_CONFIGMAP, nameApprovalConfigMap } from "../../src/replicas/cluster-approval-store.ts";
import { createCoordinationApi } from "../../src/replicas/lease-api.ts";
import { impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";

const NAMESPACE = "paddock-system";
const HEAD = "b".repeat(40);
const controlPlane = useSharedControlPlane();
const admin = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const silent = pino({ enabled: false });

/** Creates a store as one replica has it: its own client, acting as Paddock's service account. */
function openStore(options: { maxEntries?: number } = {}) {
  const api = createCoordinationApi({ kubeConfig: impersonate(controlPlane), namespace: NAMESPACE });
  return createClusterApprovalStore({ api, logger: silent, ...options });
}

function makeApproval(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return { repositoryId: 4242, pullRequest: 17, headSha: HEAD, login: "maintainer", permission: "write", via: "check-run button", at: "2026-12-05T02:00:00.000Z", ...overrides };
}

/** Stores `records` as the approvals of pull request 17, written directly as an operator would. */
async function storeApprovals(records: ApprovalRecord[]): Promise<void> {
  const name = nameApprovalConfigMap({ repositoryId: 4242, pullRequest: 17 });
  const labels = { "app.kubernetes.io/component": APPROVAL_COMPONENT, "app.kubernetes.io/managed-by": "paddock" };
  await admin.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name, labels }, data: { entries: JSON.stringify(records) } } });
}

async function readApprovals(): Promise<ApprovalRecord[]> {
  const stored = await admin.readNamespacedConfigMap({ namespace: NAMESPACE, name: nameApprovalConfigMap({ repositoryId: 4242, pullRequest: 17 }) });
  return JSON.parse(stored.data?.entries ?? "[]") as ApprovalRecord[];
}

/** Fills the ConfigMap to the maximum: approvals of superseded commits from a day before, and two approvals of HEAD. */
async function fillWithStaleApprovals(): Promise<ApprovalRecord[]> {
  const live = [makeApproval({ login: "first" }), makeApproval({ login: "second", at: "2026-12-05T02:01:00.000Z" })];
  const stale = Array.from({ length: MAX_APPROVALS_PER_CONFIGMAP - live.length }, (_, index) =>
    makeApproval({ headSha: index.toString(16).padStart(40, "0"), at: "2026-12-04T02:00:00.000Z" }),
  );
  await storeApprovals([...stale, ...live]);
  return live;
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  await admin.deleteCollectionNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${APPROVAL_COMPONENT}` });
});

afterEach(async () => {
  await admin.deleteCollectionNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${APPROVAL_COMPONENT}` });
});

describe("cluster approval store", () => {
  it("finds an approval another replica recorded", async () => {
    const receiving = openStore();
    const running = openStore();

    await receiving.record(makeApproval());
    await receiving.record(makeApproval({ login: "admin-user", permission: "admin", at: "2026-12-05T02:01:00.000Z" }));

    expect(await running.find({ repositoryId: 4242, pullRequest: 17, headSha: HEAD })).toEqual(makeApproval({ login: "admin-user", permission: "admin", at: "2026-12-05T02:01:00.000Z" }));
    expect(await running.find({ repositoryId: 4242, pullRequest: 17, headSha: "c".repeat(40) })).toBeUndefined();
    expect(await running.find({ repositoryId: 4242, pullRequest: 18, headSha: HEAD })).toBeUndefined();
    const stored = await admin.readNamespacedConfigMap({ namespace: NAMESPACE, name: nameApprovalConfigMap({ repositoryId: 4242, pullRequest: 17 }) });
    expect(stored.metadata?.labels?.["app.kubernetes.io/component"]).toBe(APPROVAL_COMPONENT);
  });

  it("rejects an approval past the maximum", async () => {
    const store = openStore({ maxEntries: 1 });
    await store.record(makeApproval());

    await expect(store.record(makeApproval({ headSha: "d".repeat(40) }))).rejects.toThrow(
      `approval-store ConfigMap paddock-approvals-4242-17 is full with 1 entries, so the approval of ddddddd by maintainer was not recorded`,
    );
  });

  it("drops superseded approvals when full", async () => {
    const live = await fillWithStaleApprovals();
    const store = openStore();
    const newest = makeApproval({ login: "third", at: "2026-12-05T02:02:00.000Z" });

    await store.record(newest);

    expect(await readApprovals()).toEqual([...live, newest]);
    expect(await store.find({ repositoryId: 4242, pullRequest: 17, headSha: HEAD })).toEqual(newest);
  });

  it("drops superseded approvals with two writers", async () => {
    const live = await fillWithStaleApprovals();
    const writers = [openStore(), openStore()];
    const recorded = writers.flatMap((_, writer) => Array.from({ length: 4 }, (_, index) => makeApproval({ login: `writer-${writer}-${index}`, at: "2026-12-05T02:03:00.000Z" })));

    await Promise.all(writers.map((store, writer) => Promise.all(recorded.filter((approval) => approval.login.startsWith(`writer-${writer}-`)).map((approval) => store.record(approval)))));

    const stored = await readApprovals();
    expect(stored.slice(0, live.length)).toEqual(live);
    expect(stored.slice(live.length).map((approval) => approval.login).sort()).toEqual(recorded.map((approval) => approval.login).sort());
  });

  it("deletes a closed pull request's approvals", async () => {
    const store = openStore();
    await store.record(makeApproval());
    await store.record(makeApproval({ pullRequest: 18 }));

    await store.forget!({ repositoryId: 4242, pullRequest: 17 });
    await store.forget!({ repositoryId: 4242, pullRequest: 17 });

    expect(await store.find({ repositoryId: 4242, pullRequest: 17, headSha: HEAD })).toBeUndefined();
    expect(await store.find({ repositoryId: 4242, pullRequest: 18, headSha: HEAD })).toEqual(makeApproval({ pullRequest: 18 }));
  });

  it("rejects a ConfigMap with invalid entries", async () => {
    const store = openStore();
    await store.record(makeApproval());
    const name = nameApprovalConfigMap({ repositoryId: 4242, pullRequest: 17 });
    const stored = await admin.readNamespacedConfigMap({ namespace: NAMESPACE, name });
    await admin.replaceNamespacedConfigMap({ namespace: NAMESPACE, name, body: { ...stored, data: { entries: '[{"repositoryId":"4242"}]' } } });

    await expect(store.find({ repositoryId: 4242, pullRequest: 17, headSha: HEAD })).rejects.toThrow(`approval-store ConfigMap ${name} has invalid entries: `);
  });
});
