import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { ApiregistrationV1Api, CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";

import { LOOPBACK_HOST } from "./loopback.ts";
import { waitUntil } from "./wait-until.ts";

/** Pod annotation with the CPU usage the server reports, one comma-separated value per sample, such as `200m,900m`; the last repeats. */
export const CPU_USAGE_ANNOTATION = "paddock.test/cpu-usage";
/** Pod annotation with the memory usage the server reports, as `CPU_USAGE_ANNOTATION` does, such as `100Mi,300Mi`. */
export const MEMORY_USAGE_ANNOTATION = "paddock.test/memory-usage";

const API_SERVICE_NAME = "v1beta1.metrics.k8s.io";
const SERVICE = { name: "paddock-loopback-metrics", namespace: "kube-system" };
const run = promisify(execFile);

/** A running loopback metrics server and the APIService that routes metrics.k8s.io to it. */
export interface LoopbackMetricsServer {
  /** List requests for PodMetrics served so far. */
  podListRequests(): number;
  stop(): Promise<void>;
}

/**
 * Serves metrics.k8s.io/v1beta1 PodMetrics on 127.0.0.1 from the annotations of the pods the
 * real API server lists, and registers it as an aggregated API through a Service of type
 * ExternalName `localhost`. It replaces metrics-server, which the test control plane does not
 * run. It is not metrics-server, and kwok's own usage emulation is not involved.
 * Resolves once the APIService reports Available.
 */
export async function startLoopbackMetricsServer(kubeConfig: KubeConfig): Promise<LoopbackMetricsServer> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const registration = kubeConfig.makeApiClient(ApiregistrationV1Api);
  const samplesTaken = new Map<string, number>();
  let podListRequests = 0;

  const directory = await mkdtemp(join(tmpdir(), "paddock-metrics-"));
  const keyFile = join(directory, "key.pem");
  const certFile = join(directory, "cert.pem");
  await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", keyFile, "-out", certFile]);
  const tls = { key: await readFile(keyFile), cert: await readFile(certFile) };
  await rm(directory, { recursive: true, force: true });

  const server: Server = createServer(tls, (request, response) => {
    const url = new URL(request.url ?? "/", "https://localhost");
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const podList = /^\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (url.pathname === "/apis/metrics.k8s.io/v1beta1") {
      reply(200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: "metrics.k8s.io/v1beta1",
        resources: [{ name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] }],
      });
    } else if (podList !== null) {
      podListRequests += 1;
      const namespace = decodeURIComponent(podList[1]!);
      const labelSelector = url.searchParams.get("labelSelector") ?? undefined;
      core
        .listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) })
        .then((pods) => reply(200, { kind: "PodMetricsList", apiVersion: "metrics.k8s.io/v1beta1", metadata: {}, items: pods.items.flatMap((pod) => toPodMetrics(pod, samplesTaken)) }))
        .catch((error: unknown) => reply(500, { kind: "Status", status: "Failure", message: String(error), code: 500 }));
    } else {
      reply(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK_HOST, resolve));
  const port = (server.address() as AddressInfo).port;

  await core.createNamespacedService({ namespace: SERVICE.namespace, body: { metadata: { name: SERVICE.name }, spec: { type: "ExternalName", externalName: "localhost", ports: [{ port }] } } });
  await registration.createAPIService({
    body: {
      metadata: { name: API_SERVICE_NAME },
      spec: { group: "metrics.k8s.io", version: "v1beta1", service: { ...SERVICE, port }, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
    },
  });
  await waitUntil(
    async () => {
      const service = await registration.readAPIService({ name: API_SERVICE_NAME });
      return service.status?.conditions?.some((condition) => condition.type === "Available" && condition.status === "True") ? true : undefined;
    },
    { description: `APIService ${API_SERVICE_NAME} to be Available through ExternalName localhost:${port}` },
  );

  return {
    podListRequests: () => podListRequests,
    async stop() {
      await registration.deleteAPIService({ name: API_SERVICE_NAME }).catch(() => undefined);
      await core.deleteNamespacedService({ name: SERVICE.name, namespace: SERVICE.namespace }).catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Running pods with usage annotations get one PodMetrics; each request takes the next value.
function toPodMetrics(pod: V1Pod, samplesTaken: Map<string, number>): unknown[] {
  const annotations = pod.metadata?.annotations ?? {};
  const cpu = annotations[CPU_USAGE_ANNOTATION];
  const memory = annotations[MEMORY_USAGE_ANNOTATION];
  if (pod.status?.phase !== "Running" || cpu === undefined || memory === undefined) return [];

  const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const index = samplesTaken.get(key) ?? 0;
  samplesTaken.set(key, index + 1);
  const pick = (values: string): string => {
    const list = values.split(",");
    return list[Math.min(index, list.length - 1)]!;
  };
  return [
    {
      metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace, labels: pod.metadata?.labels },
      timestamp: new Date().toISOString(),
      window: "15s",
      containers: (pod.spec?.containers ?? []).map((container) => ({ name: container.name, usage: { cpu: pick(cpu), memory: pick(memory) } })),
    },
  ];
}
