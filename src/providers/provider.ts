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

/**
 * A token that lets a step fetch one commit's tarball from inside a cluster. The app mints a
 * GitHub installation token with `repositories: [name]` and `permissions: { contents: "read" }`,
 * so it reads one repository and expires within the hour.
 */
export interface TarballCredential {
  /** URL of the gzipped tarball of the commit, such as GitHub's `/repos/{owner}/{repo}/tarball/{sha}`. */
  url: string;
  /** Bearer token sent with the request. */
  token: string;
  /** ISO 8601 time at which the token expires. */
  expiresAt: string;
}

/** Where the head commit's source comes from. */
export type SourceSpec =
  | {
      kind: "tarball";
      sha: string;
      /** Opens the gzipped tarball of the commit (GitHub's tarball endpoint); one top-level folder. */
      open: (signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;
      /**
       * Credential for providers that fetch inside the cluster, where `open` cannot run. A
       * function is called once per step, so each step gets a fresh token.
       */
      credential?: TarballCredential | (() => Promise<TarballCredential>);
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
  /** True when this call created the environment, false when it already existed; unset when unknown. */
  created?: boolean;
  /** Facts about the preparation worth showing on the check run, such as a wait for an old namespace. */
  notes?: string[];
}

/** An environment as a provider lists it: enough to find its key, expiry and pull request. */
export interface ListedEnvironment {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
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
  /** Lists every environment Paddock manages, with one list request where the provider has an API. */
  listEnvironments(): Promise<ListedEnvironment[]>;
  /** Sets annotations on an existing environment, or removes those given as null. */
  annotate(options: { environmentName: string; annotations: Record<string, string | null> }): Promise<void>;
}
