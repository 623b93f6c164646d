import type { StepResult } from "../pipeline/step-result.ts";

/** Resources of an environment in Kubernetes quantity strings. */
export interface ResourceRequest {
  cpu: string;
  memory: string;
}

/** What a provider needs to know about the environment it creates. */
export interface EnvironmentSpec {
  /** DNS-1123 label, unique and stable for the environment's identity. */
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resources: ResourceRequest;
  /** Hosts steps may reach; empty means no network. */
  egress: string[];
  ttlSeconds: number;
}

/** Where the head commit's source comes from. */
export type SourceSpec =
  | {
      kind: "tarball";
      sha: string;
      /** Opens the gzipped tarball of the commit (GitHub's tarball endpoint); one top-level folder. */
      open: (signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;
    }
  | { kind: "git"; sha: string; repositoryDir: string }
  | { kind: "directory"; sha: string; directory: string };

/** One step as the provider runs it. */
export interface StepSpec {
  name: string;
  image?: string;
  run: string;
  timeoutSeconds: number;
  env: Record<string, string>;
  /** Repository-relative JUnit XML path to read back after the step. */
  junitPath?: string;
}

/** An environment ready to run steps for one head commit. */
export interface PreparedEnvironment {
  environment: EnvironmentSpec;
  sha: string;
  /** Provider-specific place of the checkout (a directory, or a namespace). */
  location: string;
}

/** The engine that creates environments and runs steps in them. */
export interface Provider {
  readonly kind: "local" | "kubernetes";
  /** Creates or updates the environment and fetches the source of one commit into it. */
  prepare(options: { environment: EnvironmentSpec; source: SourceSpec; signal: AbortSignal }): Promise<PreparedEnvironment>;
  /**
   * Runs one step to its end. An aborted signal kills the step and resolves with status
   * `cancelled`; a timeout resolves with `timed_out`. Rejects only when the provider itself fails.
   */
  runStep(options: { prepared: PreparedEnvironment; step: StepSpec; signal: AbortSignal }): Promise<StepResult>;
  /** Removes the environment and everything in it; succeeds when it is already gone. */
  teardown(options: { environmentName: string }): Promise<void>;
}
