import { ApiException, CoordinationV1Api, CoreV1Api, type KubeConfig, type V1ConfigMap, type V1Lease } from "@kubernetes/client-node";

/** Label on every Lease and ConfigMap that replica coordination writes; its value is the object's role. */
export const COORDINATION_LABEL = "paddock.dev/coordination";
/** Maximum time of one coordination request, in milliseconds, so a hung request cannot outlast a renew deadline. */
export const COORDINATION_REQUEST_TIMEOUT_MS = 5_000;

/** A request that returned 409 Conflict: the object changed since it was read, or already exists. */
export class CoordinationConflictError extends Error {
  override readonly name = "CoordinationConflictError";
}

/** The Lease and ConfigMap requests of replica coordination, in one namespace. */
export interface CoordinationApi {
  listLeases(): Promise<V1Lease[]>;
  createLease(lease: V1Lease): Promise<V1Lease>;
  /** Replaces a Lease if its `metadata.resourceVersion` is still current; rejects with CoordinationConflictError otherwise. */
  replaceLease(lease: V1Lease): Promise<V1Lease>;
  deleteLease(name: string, resourceVersion: string): Promise<void>;
  listConfigMaps(): Promise<V1ConfigMap[]>;
  /** Lists the ConfigMaps whose `app.kubernetes.io/component` label is `component`, such as the spend ledger's. */
  listComponentConfigMaps(component: string): Promise<V1ConfigMap[]>;
  readConfigMap(name: string): Promise<V1ConfigMap | undefined>;
  createConfigMap(configMap: V1ConfigMap): Promise<V1ConfigMap>;
  replaceConfigMap(configMap: V1ConfigMap): Promise<V1ConfigMap>;
  /**
   * Deletes a ConfigMap; one that does not exist counts as deleted. With `resourceVersion`, rejects
   * with CoordinationConflictError when the ConfigMap changed since it was read.
   */
  deleteConfigMap(name: string, resourceVersion?: string): Promise<void>;
}

/** Creates the coordination API over a KubeConfig; every request times out after COORDINATION_REQUEST_TIMEOUT_MS. */
export function createCoordinationApi(options: { kubeConfig: KubeConfig; namespace: string; timeoutMs?: number }): CoordinationApi {
  const { namespace } = options;
  const leases = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const timeoutMs = options.timeoutMs ?? COORDINATION_REQUEST_TIMEOUT_MS;
  const send = <T>(what: string, request: () => Promise<T>): Promise<T> => withTimeout(what, timeoutMs, request).catch((error: unknown) => {
    if (error instanceof ApiException && error.code === 409) throw new CoordinationConflictError(`${what} in namespace ${namespace} conflicted: it changed or already exists`, { cause: error });
    throw error;
  });
  const labelSelector = COORDINATION_LABEL;

  return {
    listLeases: async () => (await send("listing leases", () => leases.listNamespacedLease({ namespace, labelSelector }))).items,
    createLease: (lease) => send(`creating lease ${lease.metadata?.name}`, () => leases.createNamespacedLease({ namespace, body: lease })),
    replaceLease: (lease) => send(`replacing lease ${lease.metadata?.name}`, () => leases.replaceNamespacedLease({ namespace, name: lease.metadata!.name!, body: lease })),
    deleteLease: async (name, resourceVersion) => {
      await send(`deleting lease ${name}`, () => leases.deleteNamespacedLease({ namespace, name, body: { preconditions: { resourceVersion } } }));
    },
    listConfigMaps: async () => (await send("listing configmaps", () => core.listNamespacedConfigMap({ namespace, labelSelector }))).items,
    listComponentConfigMaps: async (component) =>
      (await send(`listing ${component} configmaps`, () => core.listNamespacedConfigMap({ namespace, labelSelector: `app.kubernetes.io/component=${component}` }))).items,
    readConfigMap: (name) =>
      send(`reading configmap ${name}`, () => core.readNamespacedConfigMap({ namespace, name })).catch((error: unknown) => {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }),
    createConfigMap: (configMap) => send(`creating configmap ${configMap.metadata?.name}`, () => core.createNamespacedConfigMap({ namespace, body: configMap })),
    replaceConfigMap: (configMap) => send(`replacing configmap ${configMap.metadata?.name}`, () => core.replaceNamespacedConfigMap({ namespace, name: configMap.metadata!.name!, body: configMap })),
    deleteConfigMap: async (name, resourceVersion) => {
      const body = resourceVersion === undefined ? {} : { preconditions: { resourceVersion } };
      await send(`deleting configmap ${name}`, () => core.deleteNamespacedConfigMap({ namespace, name, body })).catch((error: unknown) => {
        if (error instanceof ApiException && error.code === 404) return;
        throw error;
      });
    },
  };
}

/**
 * Returns a time for a Lease's `acquireTime` or `renewTime`. The API server parses these as
 * MicroTime, with exactly six fractional digits, and rejects the three that
 * `Date.toISOString()` writes. client-node 1.4 sends a Date in a MicroTime field through
 * `JSON.stringify`, so the returned Date's `toJSON` writes six digits.
 */
export function toMicroTime(date: Date): Date {
  const text = date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
  return Object.assign(new Date(date.getTime()), { toJSON: () => text });
}

async function withTimeout<T>(what: string, timeoutMs: number, request: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([request(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
