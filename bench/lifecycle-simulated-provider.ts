import type { StepResult } from "../src/pipeline/step-result.ts";
import type { EnvironmentSpec, ListedEnvironment, PreparedEnvironment, Provider, SourceSpec, StepSpec } from "../src/providers/provider.ts";

/** One pipeline from `prepare` to its end; `startedAt` is `performance.now()` at the `prepare` call. */
interface SimulatedPipeline {
  environment: string;
  startedAt: number;
  outcome: "running" | "succeeded" | "cancelled";
}

/** Counts a benchmark reads from the simulated provider. */
export interface SimulatedProviderStats {
  /** `prepare` calls whose signal was still live: pipelines that would start a build. */
  pipelinesStarted: number;
  /** `prepare` calls whose signal was already aborted; they reject at once and build nothing. */
  preparesAlreadyAborted: number;
  pipelinesSucceeded: number;
  pipelinesCancelled: number;
  /** Highest number of pipelines running at the same time for one environment. */
  maxOverlapPerEnvironment: number;
  /** Environments that ever had two or more pipelines at the same time. */
  environmentsWithOverlap: number;
  /** Highest number of pipelines running at the same time across all environments. */
  maxConcurrentPipelines: number;
  /** Wall time of all pipelines added up, in milliseconds: the build time a cluster would pay for. */
  pipelineMs: number;
}

/**
 * A Provider that builds nothing: `prepare` waits `prepareMs` and each step waits `stepMs`, both
 * ending early when their signal aborts, so a benchmark measures Paddock's scheduling and not a
 * build. It counts pipelines per environment and how many ran at once, in memory bounded by the
 * number of environments, so a long replay does not grow it.
 * NOTE: a pipeline ends when a step ends or when its signal aborts between calls. That fits the
 * one-step configs the lifecycle benchmarks serve, but with more steps it would end after the first.
 */
export class SimulatedProvider implements Provider {
  // The Provider interface allows only `local` and `kubernetes`, so the simulation reports itself as local.
  readonly kind = "local" as const;
  readonly #prepareMs: number;
  readonly #stepMs: number;
  readonly #environments = new Map<string, ListedEnvironment>();
  readonly #activeByEnvironment = new Map<string, number>();
  readonly #maxOverlap = new Map<string, number>();
  readonly #pipelineOf = new WeakMap<PreparedEnvironment, SimulatedPipeline>();
  #active = 0;
  #maxActive = 0;
  #preparesAlreadyAborted = 0;
  #started = 0;
  #succeeded = 0;
  #cancelled = 0;
  #finishedMs = 0;
  readonly #running = new Set<SimulatedPipeline>();
  readonly #startedByEnvironment = new Map<string, number>();

  constructor(options: { prepareMs: number; stepMs: number }) {
    this.#prepareMs = options.prepareMs;
    this.#stepMs = options.stepMs;
  }

  async prepare(options: { environment: EnvironmentSpec; source: SourceSpec; signal: AbortSignal }): Promise<PreparedEnvironment> {
    const { environment, source, signal } = options;
    if (signal.aborted) {
      this.#preparesAlreadyAborted += 1;
      throw signal.reason;
    }

    // 1. The pipeline is live from here until a step ends or the signal aborts between calls.
    const pipeline: SimulatedPipeline = { environment: environment.name, startedAt: performance.now(), outcome: "running" };
    this.#begin(pipeline);
    const endIfAbortedBetweenCalls = (): void => this.#end(pipeline, "cancelled");
    signal.addEventListener("abort", endIfAbortedBetweenCalls, { once: true });

    // 2. Wait, as creating the environment and fetching the source would.
    try {
      await waitOrAbort(this.#prepareMs, signal);
    } catch (error) {
      this.#end(pipeline, "cancelled");
      throw error;
    }
    const existing = this.#environments.has(environment.name);
    this.#environments.set(environment.name, { name: environment.name, labels: { ...environment.labels }, annotations: { ...environment.annotations } });
    const prepared: PreparedEnvironment = { environment, sha: source.sha, location: `simulated/${environment.name}`, created: !existing };
    this.#pipelineOf.set(prepared, pipeline);
    return prepared;
  }

  async runStep(options: { prepared: PreparedEnvironment; step: StepSpec; signal: AbortSignal }): Promise<StepResult> {
    const { prepared, step, signal } = options;
    const pipeline = this.#pipelineOf.get(prepared);
    const startedAt = new Date();
    const started = performance.now();
    let status: StepResult["status"] = "success";
    try {
      await waitOrAbort(this.#stepMs, signal);
    } catch {
      status = "cancelled";
    }
    if (pipeline) this.#end(pipeline, status === "success" ? "succeeded" : "cancelled");
    return {
      name: step.name,
      status,
      exitCode: status === "success" ? 0 : null,
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - started,
      outputTail: status === "success" ? "simulated step passed\n" : "",
      outputTruncated: false,
      ...(status === "cancelled" ? { reason: "cancelled" } : {}),
    };
  }

  async teardown(options: { environmentName: string }): Promise<void> {
    this.#environments.delete(options.environmentName);
  }

  async listEnvironments(): Promise<ListedEnvironment[]> {
    return [...this.#environments.values()];
  }

  async annotate(options: { environmentName: string; annotations: Record<string, string | null> }): Promise<void> {
    const environment = this.#environments.get(options.environmentName);
    if (!environment) return;
    for (const [name, value] of Object.entries(options.annotations)) {
      if (value === null) delete environment.annotations[name];
      else environment.annotations[name] = value;
    }
  }

  /** Returns the counts so far. */
  stats(): SimulatedProviderStats {
    const overlaps = [...this.#maxOverlap.values()];
    const now = performance.now();
    const runningMs = [...this.#running].reduce((total, pipeline) => total + (now - pipeline.startedAt), 0);
    return {
      pipelinesStarted: this.#started,
      preparesAlreadyAborted: this.#preparesAlreadyAborted,
      pipelinesSucceeded: this.#succeeded,
      pipelinesCancelled: this.#cancelled,
      maxOverlapPerEnvironment: Math.max(0, ...overlaps),
      environmentsWithOverlap: overlaps.filter((overlap) => overlap > 1).length,
      maxConcurrentPipelines: this.#maxActive,
      pipelineMs: this.#finishedMs + runningMs,
    };
  }

  /** Returns the pipelines started per environment name. */
  startedByEnvironment(): Map<string, number> {
    return new Map(this.#startedByEnvironment);
  }

  #begin(pipeline: SimulatedPipeline): void {
    const { environment } = pipeline;
    this.#started += 1;
    this.#running.add(pipeline);
    this.#startedByEnvironment.set(environment, (this.#startedByEnvironment.get(environment) ?? 0) + 1);
    const active = (this.#activeByEnvironment.get(environment) ?? 0) + 1;
    this.#activeByEnvironment.set(environment, active);
    this.#maxOverlap.set(environment, Math.max(active, this.#maxOverlap.get(environment) ?? 0));
    this.#active += 1;
    this.#maxActive = Math.max(this.#maxActive, this.#active);
  }

  // Ends a pipeline once; later calls for the same pipeline do nothing.
  #end(pipeline: SimulatedPipeline, outcome: "succeeded" | "cancelled"): void {
    if (pipeline.outcome !== "running") return;
    pipeline.outcome = outcome;
    this.#running.delete(pipeline);
    this.#finishedMs += performance.now() - pipeline.startedAt;
    if (outcome === "succeeded") this.#succeeded += 1;
    else this.#cancelled += 1;
    this.#activeByEnvironment.set(pipeline.environment, (this.#activeByEnvironment.get(pipeline.environment) ?? 1) - 1);
    this.#active -= 1;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
