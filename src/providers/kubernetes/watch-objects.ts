import { setTimeout as sleep } from "node:timers/promises";

import type { KubernetesObject } from "@kubernetes/client-node";
// client-node's index does not export its serializer; watch events arrive as plain JSON.
import { ObjectSerializer } from "@kubernetes/client-node/dist/serializer.js";
import type { Logger } from "pino";

import type { KubeClient, KubernetesApis } from "./kube-client.ts";
import type { ApiCallTarget } from "./kubernetes-api-error.ts";

/** Seconds after which the API server ends a watch, so it is reopened from the last resource version. */
export const WATCH_TIMEOUT_SECONDS = 60;
/** Interval between full lists that repair anything a watch missed. */
export const RESYNC_INTERVAL_MS = 5 * 60_000;
/** Wait before reconnecting after a failed list or watch. */
export const RECONNECT_DELAY_MS = 1_000;

/** A change seen by {@link watchObjects}: a full list, or one watch event. */
export type WatchChange<T> = { type: "LIST"; objects: T[] } | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T };

/** Options of {@link watchObjects}. */
export interface WatchObjectsOptions<T extends KubernetesObject> {
  client: KubeClient;
  environment: string;
  /** Resource, group and namespace of the collection; the verb is set per request. */
  target: Omit<ApiCallTarget, "verb">;
  /** Collection path, such as `/api/v1/namespaces/x/pods`. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  list: (apis: KubernetesApis) => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** client-node model name of the objects, such as `V1Pod`, so watch events get the same types as lists. */
  typeName: string;
  onChange: (change: WatchChange<T>) => void;
  signal: AbortSignal;
  logger: Pick<Logger, "warn">;
}

/**
 * Lists a collection, then watches it from the list's resource version until `signal` aborts.
 * A watch the server ends is reopened from the last version seen. An expired version (410) or a
 * failed request leads to a new list after RECONNECT_DELAY_MS. A full list every
 * RESYNC_INTERVAL_MS repairs missed events. Resolves once `signal` aborts.
 */
export async function watchObjects<T extends KubernetesObject>(options: WatchObjectsOptions<T>): Promise<void> {
  const { client, environment, signal } = options;
  let resourceVersion: string | undefined;
  let listedAt = 0;

  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined || Date.now() - listedAt >= RESYNC_INTERVAL_MS) {
        const list = await client.call({ environment, target: { ...options.target, verb: "list" }, signal }, (apis) => options.list(apis));
        listedAt = Date.now();
        resourceVersion = list.metadata?.resourceVersion ?? "";
        options.onChange({ type: "LIST", objects: list.items });
      }
      const ended = await watchOnce(options, resourceVersion);
      resourceVersion = ended.resourceVersion;
      if (ended.error !== undefined) throw ended.error;
    } catch (error) {
      if (signal.aborted) break;
      options.logger.warn({ err: error, environment, path: options.path }, "kubernetes watch failed, listing again");
      resourceVersion = undefined;
      await sleep(RECONNECT_DELAY_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** Runs one watch request. Returns the last version seen, or undefined when it expired. */
async function watchOnce<T extends KubernetesObject>(
  options: WatchObjectsOptions<T>,
  startVersion: string,
): Promise<{ resourceVersion: string | undefined; error?: unknown }> {
  const { client, environment, signal } = options;
  let resourceVersion: string | undefined = startVersion;

  return new Promise((resolve) => {
    let finished = false;
    let controller: AbortController | undefined;
    const finish = (result: { resourceVersion: string | undefined; error?: unknown }): void => {
      if (finished) return;
      finished = true;
      signal.removeEventListener("abort", onAbort);
      controller?.abort();
      resolve(result);
    };
    const onAbort = (): void => finish({ resourceVersion });
    signal.addEventListener("abort", onAbort, { once: true });

    const query = {
      resourceVersion: startVersion === "" ? undefined : startVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: WATCH_TIMEOUT_SECONDS,
      fieldSelector: options.fieldSelector,
      labelSelector: options.labelSelector,
    };
    const onEvent = (type: string, object: unknown): void => {
      if (finished) return;
      if (type === "ERROR") {
        // A 410 Gone means the version is too old to watch from: list again.
        const code = (object as { code?: number }).code;
        finish(code === 410 ? { resourceVersion: undefined } : { resourceVersion, error: new Error(`watch error: ${JSON.stringify(object)}`) });
        return;
      }
      const version = (object as KubernetesObject).metadata?.resourceVersion;
      if (version !== undefined) resourceVersion = version;
      if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") {
        options.onChange({ type, object: ObjectSerializer.deserialize(object, options.typeName) as T });
      }
    };
    const onDone = (error: unknown): void => finish(error === null ? { resourceVersion } : { resourceVersion, error });

    client
      .watch({ environment, target: { ...options.target, verb: "watch" }, signal }, options.path, query, { onEvent, onDone })
      .then((started) => {
        controller = started;
        if (finished) started.abort();
      })
      .catch((error: unknown) => finish({ resourceVersion, error }));
  });
}
