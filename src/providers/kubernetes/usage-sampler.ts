import type { Logger } from "pino";

import type { KubeClient } from "./kube-client.ts";
import { listPodMetrics, type MetricsApiState } from "./pod-metrics.ts";

/**
 * Default time between two samples of a step's pod. metrics-server refreshes its figures every
 * 15 s with the `--metric-resolution=15s` of its published manifests (v0.8.0), so sampling
 * faster would read the same values.
 */
export const DEFAULT_USAGE_SAMPLE_INTERVAL_MS = 15_000;
/** Default wait before the first sample, so a step of a few seconds still gets one when its pod reports usage. */
export const DEFAULT_FIRST_SAMPLE_DELAY_MS = 5_000;

/** Peak usage of one container over the samples of a step. */
export interface SampledUsage {
  peakCpuMillis: number;
  peakMemoryBytes: number;
  samples: number;
}

/** Outcome of sampling: the container's peaks, or the reason there are none. */
export type SamplingResult = { usage: SampledUsage } | { gap: string };

/** A running sampler; `stop` ends it and returns the peaks. */
export interface UsageSampler {
  stop(): Promise<SamplingResult>;
}

/**
 * Samples the PodMetrics of a step's pods through the metrics API at a bounded rate, one list
 * request per interval, and keeps the peak CPU and memory of `container`. Failed samples are
 * logged once and skipped, because cost falls back to requests when no sample arrives.
 */
export function startUsageSampler(options: {
  client: KubeClient;
  metricsApi: Promise<MetricsApiState>;
  namespace: string;
  labelSelector: string;
  container: string;
  intervalMs?: number;
  firstDelayMs?: number;
  logger: Pick<Logger, "warn">;
}): UsageSampler {
  const { client, namespace, labelSelector, container, logger } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_USAGE_SAMPLE_INTERVAL_MS;
  const stopped = new AbortController();
  const peaks: SampledUsage = { peakCpuMillis: 0, peakMemoryBytes: 0, samples: 0 };
  let warned = false;

  const sampleOnce = async (): Promise<void> => {
    try {
      const pods = await listPodMetrics({ client, namespace, labelSelector, signal: stopped.signal });
      const found = pods.flatMap((pod) => pod.containers.filter((sample) => sample.container === container));
      for (const sample of found) {
        peaks.peakCpuMillis = Math.max(peaks.peakCpuMillis, sample.cpuMillis);
        peaks.peakMemoryBytes = Math.max(peaks.peakMemoryBytes, sample.memoryBytes);
        peaks.samples += 1;
      }
    } catch (error) {
      if (stopped.signal.aborted || warned) return;
      warned = true;
      logger.warn({ err: error, environment: namespace, selector: labelSelector }, "sampling pod metrics failed; later failures of this step are not logged");
    }
  };

  const loop = (async (): Promise<MetricsApiState> => {
    const state = await options.metricsApi;
    if (!state.served) return state;
    let delayMs = options.firstDelayMs ?? DEFAULT_FIRST_SAMPLE_DELAY_MS;
    while (await waitUnlessStopped(delayMs, stopped.signal)) {
      await sampleOnce();
      delayMs = intervalMs;
    }
    return state;
  })();

  return {
    async stop() {
      stopped.abort();
      const state = await loop;
      if (!state.served) return { gap: state.reason };
      if (peaks.samples === 0) return { gap: "the metrics API returned no sample during the step" };
      return { usage: { ...peaks } };
    },
  };
}

// Resolves true after `ms`, or false as soon as `signal` aborts.
function waitUnlessStopped(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
