import type { V1ConfigMap } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { z } from "zod";
import { CoordinationConflictError, type CoordinationApi } from "./lease-api.ts";

/** Attempts of one append when other replicas write the same ConfigMap at the same time. */
const MAX_ATTEMPTS = 16;
const ENTRIES_KEY = "entries";

/** Records that every replica shares, as a JSON list in ConfigMaps of Paddock's namespace. */
export interface ConfigMapEntries<T> {
  /** Reads the entries of one ConfigMap; none when it does not exist. */
  read(name: string): Promise<T[]>;
  /**
   * Appends an entry to one ConfigMap, creating it when needed; `description` names the entry in
   * errors. Resolves `created: true` when this append created the ConfigMap.
   */
  append(name: string, entry: T, description: string): Promise<{ created: boolean }>;
  /** Deletes one ConfigMap with its entries; one that does not exist counts as deleted. */
  remove(name: string): Promise<void>;
}

/**
 * Creates shared record lists. Each append is a replace that carries the resourceVersion it read,
 * so two replicas appending at once cannot lose each other's entries: the loser gets a 409 and
 * tries again. `prune` drops or folds the entries that can no longer matter before each append,
 * inside that same read and replace, so an entry another replica appended meanwhile is never
 * dropped unseen. Reading an entry that `schema` rejects is an error, never an empty list.
 */
export function createConfigMapEntries<T>(options: {
  api: CoordinationApi;
  logger: Logger;
  schema: z.ZodType<T>;
  /** Value of `app.kubernetes.io/component`, which deploy/ admission policy checks; also names the records in messages. */
  component: string;
  maxEntries: number;
  /** Returns the entries to keep of those stored, before `entry` is appended to them. Pure. */
  prune?: (entries: T[], entry: T) => T[];
}): ConfigMapEntries<T> {
  const { api, logger, schema, component, maxEntries, prune } = options;

  const readEntries = (configMap: V1ConfigMap | undefined): T[] => {
    const text = configMap?.data?.[ENTRIES_KEY];
    if (text === undefined) return [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`${component} ConfigMap ${configMap?.metadata?.name} has entries that are not JSON: ${(error as Error).message}`, { cause: error });
    }
    const parsed = z.array(schema).safeParse(value);
    if (!parsed.success) throw new Error(`${component} ConfigMap ${configMap?.metadata?.name} has invalid entries: ${parsed.error.issues[0]?.message ?? "unknown problem"}`);
    return parsed.data;
  };

  return {
    read: async (name) => readEntries(await api.readConfigMap(name)),

    async append(name, entry, description) {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const current = await api.readConfigMap(name);
        const stored = readEntries(current);
        const entries = prune ? prune(stored, entry) : stored;
        if (entries.length < stored.length) logger.info({ configMap: name, pruned: stored.length - entries.length, kept: entries.length }, "shared records pruned");
        if (entries.length >= maxEntries) throw new Error(`${component} ConfigMap ${name} is full with ${maxEntries} entries, so ${description} was not recorded`);
        const body = buildConfigMap({ name, component, current, entries: [...entries, entry] });
        try {
          await (current ? api.replaceConfigMap(body) : api.createConfigMap(body));
          return { created: current === undefined };
        } catch (error) {
          if (!(error instanceof CoordinationConflictError)) throw error;
          logger.debug({ configMap: name, attempt }, "shared record write conflicted; reading it again");
          // Writers in lockstep store one entry per round, so a random pause spreads them out.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        }
      }
      throw new Error(`${component} ConfigMap ${name} changed ${MAX_ATTEMPTS} times while ${description} was recorded, so it was not recorded; retry when fewer replicas write at once`);
    },

    remove: (name) => api.deleteConfigMap(name),
  };
}

function buildConfigMap(options: { name: string; component: string; current: V1ConfigMap | undefined; entries: unknown[] }): V1ConfigMap {
  const { name, current } = options;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      ...(current?.metadata ?? {}),
      name,
      // No COORDINATION_LABEL: every replica lists the objects with that label each Lease round.
      labels: { ...(current?.metadata?.labels ?? {}), "app.kubernetes.io/component": options.component, "app.kubernetes.io/managed-by": "paddock" },
    },
    data: { [ENTRIES_KEY]: JSON.stringify(options.entries) },
  };
}
