import { readFile } from "node:fs/promises";

import { CoreV1Api, type KubeConfig, type V1Node } from "@kubernetes/client-node";

import { FAKE_NODE_ANNOTATION } from "./component-args.ts";
import { waitForComponent, type ComponentProcess } from "./component-process.ts";
import { probe } from "./loopback.ts";

/** The name of the one node that kwok manages. */
export const FAKE_NODE_NAME = "paddock-fake-node";

/**
 * How long each component may take to become ready. The whole control plane
 * started in about 7 s on a 2-core machine, so this leaves room for loaded CI runners.
 */
export const COMPONENT_START_TIMEOUT_MS = 90_000;

/** Waits until etcd's `/health` reports healthy. */
export async function waitForEtcd(etcd: ComponentProcess, clientUrl: string): Promise<void> {
  await waitForComponent({
    component: etcd,
    description: `${clientUrl}/health to report healthy`,
    timeoutMs: COMPONENT_START_TIMEOUT_MS,
    isReady: async () => {
      const response = await probe(`${clientUrl}/health`);
      return response.status === 200 && response.body.includes('"health":"true"');
    },
  });
}

/**
 * Waits for the API server to write its self-signed certificate, then for
 * `/readyz` to return 200. Returns the certificate bundle in PEM.
 */
export async function waitForApiServer(apiServer: ComponentProcess, server: string, certFile: string, adminToken: string): Promise<string> {
  let certificatePem = "";
  await waitForComponent({
    component: apiServer,
    description: `its serving certificate ${certFile}`,
    timeoutMs: COMPONENT_START_TIMEOUT_MS,
    isReady: async () => {
      certificatePem = await readFile(certFile, "utf8");
      return certificatePem.includes("-----END CERTIFICATE-----");
    },
  });

  await waitForComponent({
    component: apiServer,
    description: `${server}/readyz to return 200`,
    timeoutMs: COMPONENT_START_TIMEOUT_MS,
    isReady: async () => (await probe(`${server}/readyz`, { ca: certificatePem, bearerToken: adminToken })).status === 200,
  });
  return certificatePem;
}

/** Waits until a component that serves HTTPS with a self-signed certificate returns 200 on `/healthz`. */
export async function waitForHealthz(component: ComponentProcess, baseUrl: string, certFile: string): Promise<void> {
  await waitForComponent({
    component,
    description: `${baseUrl}/healthz to return 200`,
    timeoutMs: COMPONENT_START_TIMEOUT_MS,
    isReady: async () => {
      const ca = await readFile(certFile, "utf8");
      return (await probe(`${baseUrl}/healthz`, { ca })).status === 200;
    },
  });
}

/** Creates the fake node and waits until kwok reports it Ready. */
export async function registerFakeNode(kwok: ComponentProcess, adminConfig: KubeConfig): Promise<void> {
  const core = adminConfig.makeApiClient(CoreV1Api);
  const node: V1Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: FAKE_NODE_NAME,
      annotations: {
        [FAKE_NODE_ANNOTATION.key]: FAKE_NODE_ANNOTATION.value,
        // metrics-server (v0.8.0) scrapes this path on the node's kubelet port in place of
        // /metrics/resource, and kwok serves one such path per node it manages.
        "metrics.k8s.io/resource-metrics-path": `/metrics/nodes/${FAKE_NODE_NAME}/metrics/resource`,
      },
      labels: {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": FAKE_NODE_NAME,
        "kubernetes.io/os": "linux",
        type: "kwok",
      },
    },
  };
  await core.createNode({ body: node });

  await waitForComponent({
    component: kwok,
    description: `node ${FAKE_NODE_NAME} to become Ready`,
    timeoutMs: COMPONENT_START_TIMEOUT_MS,
    isReady: async () => {
      const current = await core.readNode({ name: FAKE_NODE_NAME });
      const ready = current.status?.conditions?.find((condition) => condition.type === "Ready");
      return ready?.status === "True";
    },
  });
}

/**
 * Waits until the service account controller has created `default` in the
 * `default` namespace, because the ServiceAccount admission plugin rejects
 * pods until a namespace has it.
 */
export async function waitForDefaultServiceAccount(controllerManager: ComponentProcess, adminConfig: KubeConfig): Promise<void> {
  const core = adminConfig.makeApiClient(CoreV1Api);
  await waitForComponent({
    component: controllerManager,
    description: "service account default/default to exist",
    timeoutMs: COMPONENT_START_TIMEOUT_MS,
    isReady: async () => {
      await core.readNamespacedServiceAccount({ name: "default", namespace: "default" });
      return true;
    },
  });
}
