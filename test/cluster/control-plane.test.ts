import { randomBytes } from "node:crypto";

import { ApiException, BatchV1Api, CoreV1Api, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const controlPlane = useSharedControlPlane();
const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const batch = controlPlane.kubeConfig().makeApiClient(BatchV1Api);
const createdNamespaces: string[] = [];

async function createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await core.createNamespace({ body: { metadata: { name, labels } } });
  createdNamespaces.push(name);
  return name;
}

function buildJob(name: string, annotations: Record<string, string>, withInitContainer = false): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: "Never",
          initContainers: withInitContainer ? [{ name: "checkout", image: "registry.invalid/checkout:1" }] : undefined,
          containers: [{ name: "build", image: "registry.invalid/build:1", command: ["make", "test"] }],
        },
      },
    },
  };
}

async function readJobPod(namespace: string, jobName: string): Promise<V1Pod | undefined> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` });
  return pods.items[0];
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

afterAll(async () => {
  await Promise.all(createdNamespaces.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
});

describe("control plane", () => {
  let namespace: string;

  beforeAll(async () => {
    namespace = await createNamespace("smoke");
    await waitUntil(() => core.readNamespacedServiceAccount({ name: "default", namespace }), {
      description: `service account default in ${namespace}`,
    });
  });

  it("namespace deletion completes", async () => {
    const name = await createNamespace("deleted");
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: "content" }, data: { key: "value" } } });

    await core.deleteNamespace({ name });

    await waitUntil(
      async () => {
        try {
          await core.readNamespace({ name });
          return undefined;
        } catch (error) {
          return isNotFound(error) ? true : undefined;
        }
      },
      { description: `namespace ${name} to disappear` },
    );
  });

  it("job with exit code 0 succeeds", async () => {
    await batch.createNamespacedJob({ namespace, body: buildJob("exit-zero", { "paddock.test/exit-code": "0" }) });

    const job = await waitUntil(
      async () => {
        const current = await batch.readNamespacedJob({ name: "exit-zero", namespace });
        return current.status?.succeeded === 1 ? current : undefined;
      },
      { description: "job exit-zero to succeed" },
    );

    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.failed ?? 0).toBe(0);
  });

  it("job without annotations succeeds", async () => {
    await batch.createNamespacedJob({ namespace, body: buildJob("no-annotations", {}) });

    const job = await waitUntil(
      async () => {
        const current = await batch.readNamespacedJob({ name: "no-annotations", namespace });
        return current.status?.succeeded === 1 ? current : undefined;
      },
      { description: "job no-annotations to succeed" },
    );

    expect(job.status?.succeeded).toBe(1);
  });

  it("job with init container succeeds", async () => {
    await batch.createNamespacedJob({ namespace, body: buildJob("with-init", {}, true) });

    await waitUntil(
      async () => {
        const current = await batch.readNamespacedJob({ name: "with-init", namespace });
        return current.status?.succeeded === 1 ? current : undefined;
      },
      { description: "job with-init to succeed" },
    );
    const pod = await readJobPod(namespace, "with-init");

    expect(pod?.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    expect(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
  });

  it("job pod runs for run-seconds", async () => {
    await batch.createNamespacedJob({ namespace, body: buildJob("slow", { "paddock.test/run-seconds": "3" }) });

    await waitUntil(
      async () => {
        const current = await batch.readNamespacedJob({ name: "slow", namespace });
        return current.status?.succeeded === 1 ? current : undefined;
      },
      { description: "job slow to succeed" },
    );
    const pod = await readJobPod(namespace, "slow");
    const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
    const runMs = (terminated?.finishedAt?.getTime() ?? 0) - (terminated?.startedAt?.getTime() ?? 0);

    // The API stores these times in whole seconds, so a 3 s run reads as at least 3000 ms.
    expect(runMs).toBeGreaterThanOrEqual(3_000);
  });

  it("job with exit code 3 fails with message", async () => {
    const annotations = { "paddock.test/exit-code": "3", "paddock.test/termination-message": "2 tests failed" };
    await batch.createNamespacedJob({ namespace, body: buildJob("exit-three", annotations) });

    const job = await waitUntil(
      async () => {
        const current = await batch.readNamespacedJob({ name: "exit-three", namespace });
        const failed = current.status?.conditions?.find((condition) => condition.type === "Failed");
        return failed?.status === "True" ? current : undefined;
      },
      { description: "job exit-three to fail" },
    );
    const pod = await readJobPod(namespace, "exit-three");
    const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;

    expect(job.status?.failed).toBe(1);
    expect(pod?.status?.phase).toBe("Failed");
    expect(terminated?.exitCode).toBe(3);
    expect(terminated?.message).toBe("2 tests failed");
  });

  it("resource quota status is filled", async () => {
    const quotaNamespace = await createNamespace("quota");
    await core.createNamespacedResourceQuota({
      namespace: quotaNamespace,
      body: { metadata: { name: "limits" }, spec: { hard: { pods: "5", "requests.cpu": "2" } } },
    });

    const quota = await waitUntil(
      async () => {
        const current = await core.readNamespacedResourceQuota({ name: "limits", namespace: quotaNamespace });
        return current.status?.used === undefined ? undefined : current;
      },
      { description: "resource quota limits to get a status" },
    );

    expect(quota.status?.hard).toEqual({ pods: "5", "requests.cpu": "2" });
    expect(quota.status?.used?.["requests.cpu"]).toBe("0");
  });

  it("restricted namespace rejects root pod", async () => {
    const restricted = await createNamespace("restricted", { "pod-security.kubernetes.io/enforce": "restricted" });
    const pod: V1Pod = {
      metadata: { name: "root" },
      spec: { containers: [{ name: "main", image: "registry.invalid/root:1", securityContext: { runAsUser: 0 } }] },
    };

    const error = await core.createNamespacedPod({ namespace: restricted, body: pod }).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(ApiException);
    const status = JSON.parse((error as ApiException<string>).body) as { code: number; message: string };
    expect(status.code).toBe(403);
    expect(status.message).toContain('violates PodSecurity "restricted:latest"');
  });
});
