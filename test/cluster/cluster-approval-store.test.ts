import { CoreV1Api } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import type { ApprovalRecord } from "../../src/policy/records/approval-store.ts";
import { APPROVAL_COMPONENT, createClusterApprovalStore, nameApprovalConfigMap } from "../../src/replicas/cluster-approval-store.ts";
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

  it("rejects a ConfigMap with invalid entries", async () => {
    const store = openStore();
    await store.record(makeApproval());
    const name = nameApprovalConfigMap({ repositoryId: 4242, pullRequest: 17 });
    const stored = await admin.readNamespacedConfigMap({ namespace: NAMESPACE, name });
    await admin.replaceNamespacedConfigMap({ namespace: NAMESPACE, name, body: { ...stored, data: { entries: '[{"repositoryId":"4242"}]' } } });

    await expect(store.find({ repositoryId: 4242, pullRequest: 17, headSha: HEAD })).rejects.toThrow(`approval-store ConfigMap ${name} has invalid entries: `);
  });
});
