import { pino } from "pino";
import { describe, expect, it } from "vitest";

import type { KubeClient } from "../../../src/providers/kubernetes/kube-client.ts";
import { KubernetesApiError } from "../../../src/providers/kubernetes/kubernetes-api-error.ts";
import { probeMetricsApi } from "../../../src/providers/kubernetes/pod-metrics.ts";
import { startUsageSampler } from "../../../src/providers/kubernetes/usage-sampler.ts";

const TARGET = { verb: "list" as const, resource: "pods", group: "metrics.k8s.io", namespace: "env" };

// A KubeClient whose every request fails with `statusCode`, counting the requests.
function failingClient(statusCode: number): { client: KubeClient; calls: () => number } {
  let calls = 0;
  const client = {
    call: async () => {
      calls += 1;
      throw new KubernetesApiError({ target: TARGET, statusCode, status: { code: statusCode, message: "unavailable" }, cause: new Error("unavailable") });
    },
  } as unknown as KubeClient;
  return { client, calls: () => calls };
}

describe("probeMetricsApi", () => {
  it("reports a 404 as lasting", async () => {
    expect(await probeMetricsApi({ client: failingClient(404).client, environment: "env" })).toEqual({ served: false, reason: "the cluster does not serve the metrics API", lasting: true });
  });

  it("reports a 503 as passing", async () => {
    expect(await probeMetricsApi({ client: failingClient(503).client, environment: "env" })).toEqual({ served: false, reason: "the metrics API failed with 503", lasting: false });
  });

  it("reports a missing response", async () => {
    expect(await probeMetricsApi({ client: failingClient(0).client, environment: "env" })).toEqual({ served: false, reason: "the metrics API failed with no response", lasting: false });
  });
});

describe("startUsageSampler", () => {
  it("logs the first failed sample only", async () => {
    const { client, calls } = failingClient(500);
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });

    const sampler = startUsageSampler({ client, metricsApi: Promise.resolve({ served: true }), namespace: "env", labelSelector: "job=x", container: "step", intervalMs: 10, firstDelayMs: 1, logger });
    // Waits for three requests rather than a fixed time, so a busy machine only makes it slower.
    const deadline = Date.now() + 10_000;
    while (calls() < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const result = await sampler.stop();

    expect(calls()).toBeGreaterThanOrEqual(3);
    expect(warnings).toEqual(["sampling pod metrics failed; later failures of this step are not logged"]);
    expect(result).toEqual({ gap: "the metrics API returned no sample during the step" });
  });

  it("sends nothing when the API is not served", async () => {
    const { client, calls } = failingClient(500);

    const sampler = startUsageSampler({ client, metricsApi: Promise.resolve({ served: false, reason: "the cluster does not serve the metrics API", lasting: true }), namespace: "env", labelSelector: "job=x", container: "step", firstDelayMs: 1, logger: pino({ enabled: false }) });
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(await sampler.stop()).toEqual({ gap: "the cluster does not serve the metrics API" });
    expect(calls()).toBe(0);
  });
});
