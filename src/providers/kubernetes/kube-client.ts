import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api, Watch } from "@kubernetes/client-node";
import type { Logger } from "pino";

import { ApiCallCounter } from "./api-call-counter.ts";
import { KubernetesApiError, toKubernetesApiError, type ApiCallTarget } from "./kubernetes-api-error.ts";
import { DEFAULT_API_BURST, DEFAULT_API_QPS, TokenBucket } from "./token-bucket.ts";

/** The typed API groups the provider calls. */
export interface KubernetesApis {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  networking: NetworkingV1Api;
  rbac: RbacAuthorizationV1Api;
  /** Aggregated and custom APIs, such as metrics.k8s.io. */
  custom: CustomObjectsApi;
}

/** Options of {@link KubeClient}. */
export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  /** Loads fresh credentials after a 401 response; without it a 401 fails the request. */
  loadKubeConfig?: () => KubeConfig | Promise<KubeConfig>;
  /** Rate limiter shared by every request; defaults to 20 requests per second with a burst of 40. */
  limiter?: TokenBucket;
  counter?: ApiCallCounter;
  logger: Pick<Logger, "info" | "warn">;
}

/** One API request: the environment it serves, and the request in RBAC terms. */
export interface ApiCall {
  environment: string;
  target: ApiCallTarget;
  signal?: AbortSignal;
}

/** Callbacks of a watch request, as client-node's `Watch` calls them. */
export interface WatchCallbacks {
  onEvent: (type: string, object: unknown) => void;
  /** Called once when the watch ends: `null` when the server closed it, an error otherwise. */
  onDone: (error: unknown) => void;
}

/**
 * The only way the provider reaches the API server. Every request waits for the rate limiter, is
 * counted for its environment, reloads credentials once and retries after a 401, and fails with a
 * `KubernetesApiError` that names the request.
 */
export class KubeClient {
  readonly counter: ApiCallCounter;
  readonly #limiter: TokenBucket;
  readonly #loadKubeConfig: (() => KubeConfig | Promise<KubeConfig>) | undefined;
  readonly #logger: Pick<Logger, "info" | "warn">;
  #kubeConfig: KubeConfig;
  #apis: KubernetesApis;
  #reloading: Promise<void> | undefined;

  constructor(options: KubeClientOptions) {
    this.counter = options.counter ?? new ApiCallCounter();
    this.#limiter = options.limiter ?? new TokenBucket({ qps: DEFAULT_API_QPS, burst: DEFAULT_API_BURST });
    this.#loadKubeConfig = options.loadKubeConfig;
    this.#logger = options.logger;
    this.#kubeConfig = options.kubeConfig;
    this.#apis = makeApis(options.kubeConfig);
  }

  /** Sends one request through `send`, with rate limiting, counting, one reload on 401 and error mapping. */
  async call<T>(call: ApiCall, send: (apis: KubernetesApis) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      await this.#limiter.acquire(call.signal);
      this.counter.record(call.environment, call.target.verb);
      const apis = this.#apis;
      try {
        return await send(apis);
      } catch (error) {
        const mapped = toKubernetesApiError(error, call.target);
        if (mapped.statusCode !== 401 || attempt > 1 || this.#loadKubeConfig === undefined) throw mapped;
        await this.reloadCredentials(apis);
      }
    }
  }

  /**
   * Starts a watch request on `path` (such as `/api/v1/namespaces/x/pods`). Resolves with the
   * controller that stops it, once the response headers arrived or the request failed.
   */
  async watch(call: ApiCall, path: string, query: Record<string, string | number | boolean | undefined>, callbacks: WatchCallbacks): Promise<AbortController> {
    await this.#limiter.acquire(call.signal);
    this.counter.record(call.environment, "watch");
    return new Watch(this.#kubeConfig).watch(path, query, callbacks.onEvent, (error: unknown) => {
      callbacks.onDone(error === null || error === undefined ? null : toWatchError(error, call.target));
    });
  }

  /**
   * Loads fresh credentials once for all requests that failed with 401 on the same clients.
   * Does nothing when no `loadKubeConfig` was given.
   */
  async reloadCredentials(failedApis?: KubernetesApis): Promise<void> {
    const load = this.#loadKubeConfig;
    if (load === undefined) return;
    if (failedApis !== undefined && failedApis !== this.#apis) return;
    this.#reloading ??= (async () => {
      try {
        const kubeConfig = await load();
        this.#kubeConfig = kubeConfig;
        this.#apis = makeApis(kubeConfig);
        this.#logger.info({}, "kubernetes credentials reloaded after a 401 response");
      } finally {
        this.#reloading = undefined;
      }
    })();
    await this.#reloading;
  }
}

function makeApis(kubeConfig: KubeConfig): KubernetesApis {
  return {
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
    rbac: kubeConfig.makeApiClient(RbacAuthorizationV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}

// client-node's Watch fails a non-200 response with an Error whose `statusCode` is the status.
function toWatchError(error: unknown, target: ApiCallTarget): KubernetesApiError {
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (error instanceof Error && typeof statusCode === "number") {
    return new KubernetesApiError({ target, statusCode, status: { code: statusCode, message: error.message }, cause: error });
  }
  return toKubernetesApiError(error, target);
}
