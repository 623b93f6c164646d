import { annotateEnvironment } from "./annotate-environment.ts";
import type { KubeConfig } from "@kubernetes/client-node";
import { pino, type Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import type { StepResult } from "../../pipeline/step-result.ts";
import { serviceUrlVariables } from "../../environments/service-urls.ts";
import type { EnvironmentSpec, ImageBuildSpec, PreparedEnvironment, Provider, ServiceSpec, SourceSpec, StartedServices, StepSpec } from "../provider.ts";
import type { ApiCallCounts } from "./api-call-counter.ts";
import { applyEnvironment } from "./apply-environment.ts";
import { KubeClient } from "./kube-client.ts";
import { listEnvironments, type KubernetesEnvironmentRecord } from "./list-environments.ts";
import { buildEnvironmentManifests } from "./manifests/environment-manifests.ts";
import { DEFAULT_POD_SECURITY_VERSION } from "./manifests/namespace-manifest.ts";
import { DEFAULT_EPHEMERAL_STORAGE } from "./manifests/quota-manifests.ts";
import { assertFetchableInCluster } from "./fetchable-source.ts";
import { resolveCredential } from "./resolve-credential.ts";
import { probeMetricsApi, type MetricsApiState } from "./pod-metrics.ts";
import { runJobStep, type StepMetering } from "./run-job-step.ts";
import { serviceHost } from "./manifests/service-manifests.ts";
import { prepareStack } from "./prepare-stack.ts";
import type { BuiltImage } from "./run-image-build.ts";
import { startServices as startKubernetesServices } from "./start-services.ts";
import { DEFAULT_TEARDOWN_TIMEOUT_MS, teardownEnvironment, type TeardownOutcome } from "./teardown-environment.ts";
import { DEFAULT_API_BURST, DEFAULT_API_QPS, TokenBucket } from "./token-bucket.ts";

/**
 * Default image of a step that names none.
 * NOTE: chosen for Node projects; the test control plane runs no containers, so no image is pulled there.
 */
export const DEFAULT_STEP_IMAGE = "docker.io/library/node:20-bookworm";
/**
 * Default image of the source container, which needs `sh`, `curl` and a `tar` with gzip and
 * `--strip-components`.
 * NOTE: the fetch script has not run in this image, because the test control plane runs no containers.
 */
export const DEFAULT_SOURCE_IMAGE = "docker.io/curlimages/curl:8.11.1";
/**
 * Default image of image builds: rootless BuildKit, which runs `buildctl-daemonless.sh`.
 * NOTE: the test control plane runs no containers, so no build has run in this image there.
 */
export const DEFAULT_BUILDKIT_IMAGE = "docker.io/moby/buildkit:v0.18.2-rootless";
/** Default maximum wait for an old namespace of the same name to finish terminating. */
export const DEFAULT_TERMINATING_TIMEOUT_MS = 120_000;

/** Options of {@link createKubernetesProvider}. */
export interface KubernetesProviderOptions {
  /** Credentials and server, loaded by the caller; the provider never reads default locations. */
  kubeConfig: KubeConfig;
  /** Loads fresh credentials after a 401 response, such as a rotated service account token. */
  loadKubeConfig?: () => KubeConfig | Promise<KubeConfig>;
  logger?: Pick<Logger, "info" | "warn">;
  /** Client-side rate limit of API requests; defaults to 20 per second with a burst of 40. */
  rateLimit?: { qps: number; burst: number };
  defaultImage?: string;
  sourceImage?: string;
  /** Ephemeral storage of each step and the namespace's quota of it; defaults to 4Gi. */
  ephemeralStorage?: string;
  /** Version of the restricted Pod Security Standard to enforce; defaults to `latest`. */
  podSecurityVersion?: string;
  terminatingTimeoutMs?: number;
  teardownTimeoutMs?: number;
  /** Extra annotations on each step's pod, for admission webhooks or a simulated kubelet such as kwok. */
  podAnnotations?: (step: StepSpec) => Record<string, string>;
  /** Extra annotations on each service's pods. */
  servicePodAnnotations?: (service: ServiceSpec) => Record<string, string>;
  /** Extra annotations on each image build's pod. */
  buildPodAnnotations?: (image: ImageBuildSpec) => Record<string, string>;
  buildkitImage?: string;
  /**
   * Sampling of each step's pod through the metrics API (metrics.k8s.io), when the cluster
   * serves it; `false` turns it off. Intervals default to 15 s, with the first sample after 5 s.
   */
  usageSampling?: { intervalMs?: number; firstDelayMs?: number } | false;
}

/** The Kubernetes provider, plus what the sweeper and the benchmark need. */
export interface KubernetesProvider extends Provider {
  readonly kind: "kubernetes";
  /**
   * Starts the services from the images prepare built, as Deployments and Services, waits until
   * each is ready and exposes the preview. The result's `previewUrl` is the URL for a GitHub
   * deployment status.
   */
  startServices(options: { prepared: PreparedEnvironment; services: readonly ServiceSpec[]; signal: AbortSignal }): Promise<StartedServices>;
  /** Lists every Paddock environment with one API request. */
  listEnvironments(): Promise<KubernetesEnvironmentRecord[]>;
  /** Deletes an environment's namespace and reports how that ended instead of throwing when it is stuck. */
  teardownEnvironment(options: { environmentName: string }): Promise<TeardownOutcome>;
  /** Returns the API requests sent for an environment so far and starts its count again. */
  takeApiCalls(environmentName: string): ApiCallCounts;
}

/** Creates the provider that runs each environment as a namespace and each step as a Job. */
export function createKubernetesProvider(options: KubernetesProviderOptions): KubernetesProvider {
  const logger = options.logger ?? pino({ enabled: false });
  const rateLimit = options.rateLimit ?? { qps: DEFAULT_API_QPS, burst: DEFAULT_API_BURST };
  const client = new KubeClient({
    kubeConfig: options.kubeConfig,
    ...(options.loadKubeConfig ? { loadKubeConfig: options.loadKubeConfig } : {}),
    limiter: new TokenBucket(rateLimit),
    logger,
  });
  const manifestOptions = {
    podSecurityVersion: options.podSecurityVersion ?? DEFAULT_POD_SECURITY_VERSION,
    ephemeralStorage: options.ephemeralStorage ?? DEFAULT_EPHEMERAL_STORAGE,
  };
  const settings = {
    defaultImage: options.defaultImage ?? DEFAULT_STEP_IMAGE,
    sourceImage: options.sourceImage ?? DEFAULT_SOURCE_IMAGE,
    ephemeralStorage: manifestOptions.ephemeralStorage,
    podAnnotations: options.podAnnotations ?? (() => ({})),
  };
  const stackSettings = {
    buildkitImage: options.buildkitImage ?? DEFAULT_BUILDKIT_IMAGE,
    sourceImage: settings.sourceImage,
    buildPodAnnotations: options.buildPodAnnotations ?? (() => ({})),
    servicePodAnnotations: options.servicePodAnnotations ?? (() => ({})),
  };
  const teardownTimeoutMs = options.teardownTimeoutMs ?? DEFAULT_TEARDOWN_TIMEOUT_MS;
  const sources = new WeakMap<PreparedEnvironment, SourceSpec>();
  const builtImages = new WeakMap<PreparedEnvironment, BuiltImage[]>();
  const serviceVariables = new WeakMap<PreparedEnvironment, Record<string, string>>();
  const metering = createMetering({ client, sampling: options.usageSampling });

  async function prepare(request: { environment: EnvironmentSpec; source: SourceSpec; signal: AbortSignal; runId?: string }): Promise<PreparedEnvironment> {
    const { environment, source, signal } = request;
    const fetchable = assertFetchableInCluster(source);
    const manifests = buildEnvironmentManifests(environment, manifestOptions);
    const terminatingTimeoutMs = options.terminatingTimeoutMs ?? DEFAULT_TERMINATING_TIMEOUT_MS;
    const { created, notes } = await applyEnvironment({ client, environment, manifests, terminatingTimeoutMs, signal, logger });
    logger.info({ environment: environment.name, sha: source.sha }, "kubernetes environment applied");

    // Images are built before prepare resolves, so a failed build stops the run before its services.
    const images = environment.stack === undefined ? [] : await prepareStack({ client, environment, stack: environment.stack, source: fetchable, settings: stackSettings, signal, logger });
    const prepared: PreparedEnvironment = {
      environment,
      sha: source.sha,
      location: environment.name,
      created,
      ...(notes.length > 0 ? { notes } : {}),
      ...(request.runId !== undefined ? { runId: request.runId } : {}),
    };
    sources.set(prepared, source);
    builtImages.set(prepared, images);
    return prepared;
  }

  async function startServices(request: { prepared: PreparedEnvironment; services: readonly ServiceSpec[]; signal: AbortSignal }): Promise<StartedServices> {
    const { prepared, services, signal } = request;
    const images = builtImages.get(prepared);
    if (images === undefined) {
      throw new PaddockError("USAGE", `environment ${prepared.environment.name} was not prepared by this provider`, { hint: "Pass the PreparedEnvironment that prepare returned" });
    }
    // Services stay until teardown, so the preview keeps working after the steps end.
    const stop = (): Promise<void> => Promise.resolve();
    if (services.length === 0) return { services: [], ready: true, variables: {}, stop, untilTeardown: true };

    const expose = prepared.environment.stack?.expose;
    const outcome = await startKubernetesServices({ client, environment: prepared.environment, services, expose, images, podAnnotations: stackSettings.servicePodAnnotations, signal, logger });
    const ready = outcome.statuses.every((status) => status.status === "ready");
    const variables = serviceUrlVariables(services, (service) => serviceHost({ namespace: prepared.environment.name, service }));
    if (ready) serviceVariables.set(prepared, variables);
    return { services: outcome.statuses, ready, variables, stop, untilTeardown: true, ...(outcome.previewUrl === undefined ? {} : { previewUrl: outcome.previewUrl }) };
  }

  async function runStep(request: { prepared: PreparedEnvironment; step: StepSpec; signal: AbortSignal }): Promise<StepResult> {
    const { prepared, step, signal } = request;
    const source = sources.get(prepared);
    if (source === undefined) {
      throw new PaddockError("USAGE", `environment ${prepared.environment.name} was not prepared by this provider`, { hint: "Pass the PreparedEnvironment that prepare returned" });
    }
    if (!(step.timeoutSeconds > 0) || !Number.isFinite(step.timeoutSeconds)) {
      throw new PaddockError("USAGE", `step ${step.name} has the invalid timeout ${step.timeoutSeconds} seconds`, { hint: "Use a positive number of seconds" });
    }
    const credential = await resolveCredential(assertFetchableInCluster(source));
    // The pipeline passes the service variables too. Adding them here gives them to callers that
    // skip the pipeline; as there, the step's own env wins.
    const variables = serviceVariables.get(prepared);
    const withServices = variables === undefined ? step : { ...step, env: { ...variables, ...step.env } };
    return runJobStep({ client, environment: prepared.environment, sha: prepared.sha, runId: prepared.runId, step: withServices, credential, settings, signal, logger, ...(metering ? { metering } : {}) });
  }

  async function teardown(request: { environmentName: string }): Promise<void> {
    const outcome = await teardownEnvironment({ client, name: request.environmentName, timeoutMs: teardownTimeoutMs, logger });
    if (outcome.status === "stuck") {
      throw new PaddockError("ENVIRONMENT_TERMINATING", `namespace ${request.environmentName} was still terminating after ${teardownTimeoutMs} ms: ${outcome.holdingConditions}`, {
        hint: "Remove what holds it (often a finalizer on an object inside); the next sweep deletes it again",
      });
    }
    logger.info({ environment: request.environmentName, status: outcome.status, durationMs: outcome.durationMs }, "kubernetes environment torn down");
  }

  return {
    kind: "kubernetes",
    prepare,
    startServices,
    runStep,
    teardown,
    annotate: (request) => annotateEnvironment({ client, name: request.environmentName, annotations: request.annotations }),
    teardownEnvironment: (request) => teardownEnvironment({ client, name: request.environmentName, timeoutMs: teardownTimeoutMs, logger }),
    listEnvironments: () => listEnvironments({ client }),
    takeApiCalls: (environmentName) => client.counter.take(environmentName),
  };
}

/**
 * Creates the metering of steps: the metrics API is probed once, and the result is kept while
 * it is "served" or "not served" (404). Other failures are probed again at the next step.
 * NOTE: a metrics API installed while Paddock runs is noticed only after a restart.
 */
function createMetering(options: { client: KubeClient; sampling: KubernetesProviderOptions["usageSampling"] }): StepMetering | undefined {
  if (options.sampling === false) return undefined;
  let probe: Promise<MetricsApiState> | undefined;
  const metricsApi = (): Promise<MetricsApiState> => {
    probe ??= probeMetricsApi({ client: options.client, environment: "metrics-api" }).then((state) => {
      if (!state.served && !state.lasting) probe = undefined;
      return state;
    });
    return probe;
  };
  return { metricsApi, ...(options.sampling ?? {}) };
}
