import { parseMemoryBytes } from "../../config/units.ts";
import type { KubeClient } from "./kube-client.ts";
import { KubernetesApiError } from "./kubernetes-api-error.ts";

/** API group and version of PodMetrics, as metrics-server serves them. */
export const METRICS_GROUP = "metrics.k8s.io";
export const METRICS_VERSION = "v1beta1";

/** Whether the cluster serves the metrics API, or why it could not be used; `lasting` marks a 404, which a retry would not change. */
export type MetricsApiState = { served: true } | { served: false; reason: string; lasting: boolean };

/** Usage of one container at one sample. */
export interface ContainerSample {
  container: string;
  cpuMillis: number;
  memoryBytes: number;
}

/** One PodMetrics object, reduced to what cost needs. */
export interface PodSample {
  pod: string;
  containers: ContainerSample[];
}

interface PodMetricsList {
  items?: Array<{ metadata?: { name?: string }; containers?: Array<{ name?: string; usage?: Record<string, string> }> }>;
}

/**
 * Reads the discovery document of metrics.k8s.io/v1beta1. A 404 means the cluster does not
 * serve the metrics API (no metrics-server or equivalent is registered). Other failures, such
 * as 503 from an aggregated server that is down, also give `served: false` with the status.
 */
export async function probeMetricsApi(options: { client: KubeClient; environment: string }): Promise<MetricsApiState> {
  try {
    await options.client.call({ environment: options.environment, target: { verb: "get", resource: "", group: METRICS_GROUP } }, (apis) =>
      apis.custom.getAPIResources({ group: METRICS_GROUP, version: METRICS_VERSION }),
    );
    return { served: true };
  } catch (error) {
    if (!(error instanceof KubernetesApiError)) throw error;
    if (error.statusCode === 404) return { served: false, reason: "the cluster does not serve the metrics API", lasting: true };
    return { served: false, reason: `the metrics API failed with ${error.statusCode || "no response"}`, lasting: false };
  }
}

/** Lists the PodMetrics of the pods that match `labelSelector` in `namespace`. */
export async function listPodMetrics(options: { client: KubeClient; namespace: string; labelSelector: string; signal?: AbortSignal }): Promise<PodSample[]> {
  const { client, namespace, labelSelector } = options;
  const list = (await client.call(
    { environment: namespace, target: { verb: "list", resource: "pods", group: METRICS_GROUP, namespace }, ...(options.signal ? { signal: options.signal } : {}) },
    (apis) => apis.custom.listNamespacedCustomObject({ group: METRICS_GROUP, version: METRICS_VERSION, namespace, plural: "pods", labelSelector }),
  )) as PodMetricsList;

  return (list.items ?? []).map((item) => ({
    pod: item.metadata?.name ?? "",
    containers: (item.containers ?? []).flatMap((container) => {
      const cpuMillis = parseCpuUsageMillis(container.usage?.cpu ?? "");
      const memoryBytes = parseMemoryBytes(container.usage?.memory ?? "");
      if (container.name === undefined || cpuMillis === undefined || memoryBytes === undefined) return [];
      return [{ container: container.name, cpuMillis, memoryBytes }];
    }),
  }));
}

const CPU_USAGE = /^(\d+(?:\.\d+)?)(n|u|m)?$/;
const CPU_USAGE_FACTOR: Record<string, number> = { n: 1e-6, u: 1e-3, m: 1, "": 1_000 };

/**
 * Parses a CPU usage quantity into millicores. metrics-server reports nanocores (`1234567n`);
 * other servers may use `u`, `m` or whole cores. Undefined when the text is not a quantity.
 */
export function parseCpuUsageMillis(text: string): number | undefined {
  const match = CPU_USAGE.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * CPU_USAGE_FACTOR[match[2] ?? ""]!;
}
