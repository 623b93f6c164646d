import { randomBytes } from "node:crypto";

import type { V1ConfigMap } from "@kubernetes/client-node";
import type { Logger } from "pino";

import type { KubeClient } from "../providers/kubernetes/kube-client.ts";
import { KubernetesApiError, type ApiCallTarget } from "../providers/kubernetes/kubernetes-api-error.ts";
import type { PendingAuditRecord } from "./audit-record-schema.ts";
import type { AuditSpool } from "./audit-spool.ts";
import { planSpoolWrites, type SpoolWrite } from "./plan-spool-writes.ts";
import {
  buildSpoolConfigMap,
  nameSpoolObject,
  readSpoolConfigMap,
  requireSpoolableRecord,
  SPOOL_LABEL_SELECTOR,
  type SpoolObject,
} from "./spool-config-map.ts";

/**
 * Default time an instance holds the ConfigMaps it wrote or took over. Another instance takes
 * a ConfigMap over only after its hold ended. While the process runs, a timer renews every
 * hold with less than half left, so a flush that waits for a rate limit keeps its ConfigMaps,
 * and a crashed instance's records are taken over within this time.
 */
export const DEFAULT_SPOOL_HOLD_MS = 5 * 60_000;
/** ConfigMaps read per list request. */
export const SPOOL_LIST_PAGE_SIZE = 20;
/** Attempts at removing records from a ConfigMap that another writer changed meanwhile. */
export const SPOOL_CONFLICT_ATTEMPTS = 5;
/** `environment` under which the KubeClient counts the spool's requests. */
export const SPOOL_API_CALL_KEY = "audit-spool";

/** Options of {@link openKubernetesAuditSpool}. */
export interface KubernetesAuditSpoolOptions {
  client: KubeClient;
  /** Paddock's own namespace, such as `paddock-system`. */
  namespace: string;
  /** Lowercase hex id of this instance in ConfigMap names and holds; random when absent. */
  instanceId?: string;
  holdMs?: number;
  now?: () => Date;
  logger?: Pick<Logger, "info" | "warn">;
}

/** The spool in the cluster, with the id it holds ConfigMaps under. */
export interface KubernetesAuditSpool extends AuditSpool {
  readonly instanceId: string;
  /** Stops renewing holds, so another instance takes this one's ConfigMaps over once they end. */
  close(): void;
}

interface PendingAppend {
  records: readonly PendingAuditRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Opens a spool that stores records in ConfigMaps of Paddock's namespace, so they survive the
 * pod. `append` resolves once the API server stored them. Appends that arrive while a write is
 * in flight share the next write, and each write extends this instance's newest ConfigMap
 * until it holds 100 records or 768 KiB, so an append costs one write and an emptied
 * ConfigMap one delete. Each ConfigMap names the instance that holds it. `list` returns only
 * records this instance holds, taking over ConfigMaps whose hold ended (an instance that
 * crashed), and every replace and delete carries the resourceVersion it read, so two
 * replicas never flush the same ConfigMap.
 */
export function openKubernetesAuditSpool(options: KubernetesAuditSpoolOptions): KubernetesAuditSpool {
  const { client, namespace, logger } = options;
  const instanceId = options.instanceId ?? randomBytes(4).toString("hex");
  const holdMs = options.holdMs ?? DEFAULT_SPOOL_HOLD_MS;
  const nowMs = () => (options.now ?? (() => new Date()))().getTime();

  // ConfigMaps this instance holds, as it last read or wrote them; `openName` is the one appends extend.
  const heldObjects = new Map<string, SpoolObject>();
  let openName: string | undefined;
  let counter = 0;
  let lastNameMs = 0;
  let pending: PendingAppend[] = [];
  let queue: Promise<unknown> = Promise.resolve();

  // Operations run one at a time, so the local copy of a ConfigMap is never stale within the instance.
  const serialize = <T>(operation: () => Promise<T>): Promise<T> => {
    const next = queue.then(operation);
    queue = next.catch(() => undefined);
    return next;
  };

  const call = <T>(target: Omit<ApiCallTarget, "resource" | "group" | "namespace">, send: Parameters<KubeClient["call"]>[1]): Promise<T> =>
    client.call({ environment: SPOOL_API_CALL_KEY, target: { ...target, resource: "configmaps", group: "", namespace } }, send) as Promise<T>;

  const replace = async (object: SpoolObject): Promise<SpoolObject> => {
    const body = buildSpoolConfigMap({ namespace, object });
    const stored = await call<V1ConfigMap>({ verb: "update", name: object.name }, (apis) => apis.core.replaceNamespacedConfigMap({ name: object.name, namespace, body }));
    return { ...object, resourceVersion: stored.metadata?.resourceVersion ?? "" };
  };

  const create = async (records: PendingAuditRecord[]): Promise<SpoolObject> => {
    const nameMs = Math.max(nowMs(), lastNameMs);
    lastNameMs = nameMs;
    counter += 1;
    const name = nameSpoolObject({ time: new Date(nameMs), instanceId, counter });
    const object = { name, holder: instanceId, heldUntilMs: nowMs() + holdMs, records };
    const body = buildSpoolConfigMap({ namespace, object });
    const stored = await call<V1ConfigMap>({ verb: "create", name }, (apis) => apis.core.createNamespacedConfigMap({ namespace, body }));
    return { ...object, resourceVersion: stored.metadata?.resourceVersion ?? "" };
  };

  // 1. Appends: one write per planned ConfigMap, in order, stopping at the first failure.
  const executeWrite = async (write: SpoolWrite): Promise<void> => {
    const open = write.kind === "extend" && write.name !== undefined ? heldObjects.get(write.name) : undefined;
    if (open !== undefined) {
      try {
        const stored = await replace({ ...open, heldUntilMs: nowMs() + holdMs, records: [...open.records, ...write.records] });
        heldObjects.set(stored.name, stored);
        return;
      } catch (error) {
        // Another instance took the ConfigMap over, or it is gone: start a new one.
        if (!isConflictOrGone(error)) throw error;
        heldObjects.delete(open.name);
        logger?.warn({ configMap: open.name, namespace }, "audit spool ConfigMap changed by another writer; starting a new one");
      }
    }
    const stored = await create([...write.records]);
    heldObjects.set(stored.name, stored);
    openName = stored.name;
  };

  const writePending = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;

    const open = openName === undefined ? undefined : heldObjects.get(openName);
    const writes = planSpoolWrites({ open, appends: batch.map((entry) => entry.records) });
    let written = 0;
    try {
      for (const write of writes) {
        await executeWrite(write);
        written += 1;
      }
    } catch (error) {
      // Appends whose last record was stored are durable; the rest fail with the error.
      for (const [index, entry] of batch.entries()) {
        if (writes.findIndex((write) => write.appendIndexes.includes(index)) < written) entry.resolve();
        else entry.reject(error);
      }
      return;
    }
    for (const entry of batch) entry.resolve();
  };

  // 2. Holds: keep, renew or take over a ConfigMap; undefined when another instance holds it.
  const hold = async (object: SpoolObject, now: number): Promise<SpoolObject | undefined> => {
    if (object.holder === instanceId && object.heldUntilMs - now > holdMs / 2) return object;
    if (object.holder !== instanceId && object.heldUntilMs > now) return undefined;
    try {
      const stored = await replace({ ...object, holder: instanceId, heldUntilMs: now + holdMs });
      if (object.holder !== instanceId) logger?.info({ configMap: object.name, namespace, previousHolder: object.holder, records: object.records.length }, "audit spool ConfigMap taken over after its hold ended");
      return stored;
    } catch (error) {
      if (isConflictOrGone(error)) return undefined;
      throw error;
    }
  };

  const list = async (limit: number): Promise<PendingAuditRecord[]> => {
    const now = nowMs();
    const records: PendingAuditRecord[] = [];
    const open = openName === undefined ? undefined : heldObjects.get(openName);
    heldObjects.clear();
    if (open !== undefined) heldObjects.set(open.name, open);

    let pageToken: string | undefined;
    // The API server returns a list in name order (etcd key order), so pages come oldest first.
    do {
      const page = await call<{ items: V1ConfigMap[]; metadata?: { _continue?: string } }>({ verb: "list" }, (apis) =>
        apis.core.listNamespacedConfigMap({ namespace, labelSelector: SPOOL_LABEL_SELECTOR, limit: SPOOL_LIST_PAGE_SIZE, ...(pageToken ? { _continue: pageToken } : {}) }),
      );
      for (const item of page.items) {
        const read = readSpoolConfigMap(item);
        if (read.records.length === 0) continue;
        if (records.length > 0 && records.length + read.records.length > limit) return records;
        const object = await hold(read, now);
        if (object === undefined) continue;
        heldObjects.set(object.name, object);
        records.push(...object.records.slice(0, limit - records.length));
        if (records.length >= limit) return records;
      }
      pageToken = page.metadata?._continue || undefined;
    } while (pageToken !== undefined);
    return records;
  };

  // 3. Removal after the ledger commit: replace with the rest, or delete when nothing is left.
  const removeFrom = async (object: SpoolObject, ids: ReadonlySet<string>): Promise<void> => {
    let current = object;
    for (let attempt = 1; ; attempt += 1) {
      const rest = current.records.filter((record) => !ids.has(record.id));
      try {
        if (rest.length === 0) {
          await call({ verb: "delete", name: current.name }, (apis) =>
            apis.core.deleteNamespacedConfigMap({ name: current.name, namespace, body: { preconditions: { resourceVersion: current.resourceVersion } } }),
          );
          forget(current.name);
        } else {
          heldObjects.set(current.name, await replace({ ...current, records: rest }));
        }
        return;
      } catch (error) {
        if (isGone(error)) return forget(current.name);
        if (!isConflict(error) || attempt >= SPOOL_CONFLICT_ATTEMPTS) throw error;
      }
      // Another writer changed it since it was read: read it again and remove from that.
      try {
        current = readSpoolConfigMap(await call<V1ConfigMap>({ verb: "get", name: current.name }, (apis) => apis.core.readNamespacedConfigMap({ name: current.name, namespace })));
      } catch (error) {
        if (isGone(error)) return forget(current.name);
        throw error;
      }
    }
  };

  const forget = (name: string): void => {
    heldObjects.delete(name);
    if (openName === name) openName = undefined;
  };

  // 4. Renewal: keep the holds of ConfigMaps listed or written but not yet flushed.
  const renewHolds = async (): Promise<void> => {
    const now = nowMs();
    for (const object of [...heldObjects.values()]) {
      try {
        const renewed = await hold(object, now);
        if (renewed === undefined) forget(object.name);
        else heldObjects.set(renewed.name, renewed);
      } catch (error) {
        logger?.warn({ err: error, configMap: object.name, namespace }, "renewing the hold of an audit spool ConfigMap failed; retrying at the next renewal");
      }
    }
  };
  const renewal = setInterval(() => void serialize(renewHolds), Math.max(1, Math.floor(holdMs / 4)));
  // The timer must not keep a process alive that has nothing else to do.
  renewal.unref();

  return {
    instanceId,
    close: () => clearInterval(renewal),
    append(records) {
      if (records.length === 0) return Promise.resolve();
      try {
        for (const record of records) requireSpoolableRecord(record);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<void>((resolve, reject) => {
        pending.push({ records, resolve, reject });
        void serialize(writePending);
      });
    },
    list: ({ limit }) => serialize(() => list(limit)),
    remove: (ids) =>
      serialize(async () => {
        const removedIds = new Set(ids);
        for (const object of [...heldObjects.values()]) {
          if (object.records.some((record) => removedIds.has(record.id))) await removeFrom(object, removedIds);
        }
      }),
  };
}

function isConflict(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.statusCode === 409;
}

function isGone(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.statusCode === 404;
}

function isConflictOrGone(error: unknown): boolean {
  return isConflict(error) || isGone(error);
}
