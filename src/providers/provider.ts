import type { ReadyCheck } from "../config/service-config-schema.ts";
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
  /** Images to build and services to start before the steps run; absent for a steps-only environment. */
  stack?: StackSpec;
}

/** One image to build from the head commit, with every reference already resolved from the org policy. */
export interface ImageBuildSpec {
  /** Name in the repository config, a DNS-1123 label. */
  name: string;
  /** Directory of the build context, relative to the checkout. */
  context: string;
  /** Path of the Dockerfile, relative to the checkout. */
  dockerfile: string;
  target?: string;
  args: Record<string, string>;
  /** Repository part of the image reference without tag, such as `registry.example.com/paddock/acme/shop/web`. */
  repository: string;
  /** Tag pushed, the head commit's SHA. */
  tag: string;
  /** Registry reference of the repository's build cache. */
  cacheRef: string;
}

/** The service exposed at a preview URL. */
export interface ExposeSpec {
  service: string;
  port: number;
  /** Host name rendered from the org policy's template, already checked to be DNS-safe. */
  host: string;
  ingressClass?: string;
}

/** Settings of image builds, from the org policy. */
export interface BuildSettings {
  /** Namespace of the build Jobs, never the environment's own. */
  namespace: string;
  runtimeClass?: string;
  /** Name of the Secret in the build namespace with this repository's push credential; none means push without one. */
  pushSecret?: string;
}

/** The full stack of an environment: images built first, then services started, one of them exposed. */
export interface StackSpec {
  images: ImageBuildSpec[];
  services: ServiceSpec[];
  expose?: ExposeSpec;
  /** Set when `images` is not empty. */
  build?: BuildSettings;
  /** True when a step has `deploy: true`, which needs a ServiceAccount that may manage workloads. */
  deploySteps: boolean;
  /** Problems the org policy leaves unsolved, such as a missing build.registry. The provider fails with them before it builds. */
  problems?: string[];
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
  /** Whether the step may manage workloads in its own namespace; only the Kubernetes provider grants it. */
  deploy?: boolean;
}

/** One service as the provider starts it, before the steps run. */
export interface ServiceSpec {
  name: string;
  /** An image reference, or the name of the `images` entry given in `builtImage`. */
  image: string;
  /** Name of the `images` entry the service runs, when its image is built from the head commit. */
  builtImage?: string;
  /** Command run with /bin/sh -c in place of the image's command; the local provider requires it. */
  run?: string;
  port: number;
  ready: ReadyCheck;
  env: Record<string, string>;
  /** Seconds the service has to become ready after it starts. */
  timeoutSeconds: number;
}

/** Outcome of starting one service. */
export interface ServiceStatus {
  name: string;
  /** skipped: not started, because an earlier service failed or the run was cancelled. */
  status: "ready" | "failed" | "skipped";
  /** Milliseconds from the start of the service to its first passing ready check. */
  readyMs?: number;
  /** One line that explains a failure, such as "not ready after 5m: connection refused on port 8080". */
  reason?: string;
  /** Last lines of the service's output, for a failure. */
  outputTail?: string;
}

/** The services of one run, as started by a provider. */
export interface StartedServices {
  services: ServiceStatus[];
  /** True when every service is ready. */
  ready: boolean;
  /** Variables every step gets, such as PADDOCK_SERVICE_WEB_URL (see `serviceUrlVariables`). */
  variables: Record<string, string>;
  /**
   * Stops what the run no longer needs once its steps end. Never rejects. A provider that
   * keeps services for a preview until teardown may leave them running.
   */
  stop: () => Promise<void>;
  /** True when `stop` leaves the services running until teardown, so their cost runs on until expiry. */
  untilTeardown?: boolean;
  /**
   * URL of the exposed service, for a GitHub deployment status; set by the Kubernetes provider
   * once every service is ready and the preview Ingress exists.
   */
  previewUrl?: string;
  /** Lists what happened to the services after they were ready, such as one that exited while the steps ran. */
  readNotes?: () => string[];
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
  /** The run this preparation serves; a provider that keeps steps outside the process names them after it. */
  runId?: string;
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
  /** Name of the cluster environments go to (PADDOCK_CLUSTER): audit records name it, and it picks the org policy's price table for that cluster. */
  readonly cluster?: string;
  /**
   * Creates or updates the environment and fetches the source of one commit into it. With a
   * `runId`, a provider whose steps outlive the process (Kubernetes Jobs) names each step after
   * the run, so a second process running the same run adopts a step that already exists.
   */
  prepare(options: { environment: EnvironmentSpec; source: SourceSpec; signal: AbortSignal; runId?: string }): Promise<PreparedEnvironment>;
  /**
   * Runs one step to its end. An aborted signal kills the step and resolves with status
   * `cancelled`, unless the abort reason is a {@link DetachError}, which leaves a step that runs
   * outside the process running. A timeout resolves with `timed_out`. Rejects only when the
   * provider itself fails.
   */
  runStep(options: { prepared: PreparedEnvironment; step: StepSpec; signal: AbortSignal }): Promise<StepResult>;
  /**
   * Starts services in order and waits for each to be ready within its timeout. A service that
   * fails is reported in the result, and the services after it are skipped. Rejects only when the
   * provider itself fails. A provider without it cannot run configs that list services.
   */
  startServices?(options: { prepared: PreparedEnvironment; services: readonly ServiceSpec[]; signal: AbortSignal }): Promise<StartedServices>;
  /** Removes the environment and everything in it; succeeds when it is already gone. */
  teardown(options: { environmentName: string }): Promise<void>;
  /** Lists every environment Paddock manages, with one list request where the provider has an API. */
  listEnvironments(): Promise<ListedEnvironment[]>;
  /** Sets annotations on an existing environment, or removes those given as null. */
  annotate(options: { environmentName: string; annotations: Record<string, string | null> }): Promise<void>;
}

/**
 * Abort reason that stops a process from following its steps without stopping the steps, so that
 * another process can adopt them: Paddock uses it when a replica loses the Lease of the keys.
 */
export class DetachError extends Error {
  override readonly name = "DetachError";
}
