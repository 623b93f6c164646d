import type { V1ConfigMap } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { z } from "zod";
import { requireSpendDay, spendEntrySchema, sumSpend, type SpendEntry, type SpendLedger } from "../policy/records/spend-ledger.ts";
import { CoordinationConflictError, type CoordinationApi } from "./lease-api.ts";

/**
 * Maximum entries in one spend ConfigMap. An entry with a 63-character environment name takes
 * about 270 bytes of JSON, so 3,000 stay under 820 KB, below the API server's 1 MiB object limit.
 */
export const MAX_SPEND_ENTRIES_PER_CONFIGMAP = 3_000;
/** Value of `app.kubernetes.io/component` on spend ConfigMaps, which deploy/ admission policy lets Paddock write. */
export const SPEND_COMPONENT = "spend-ledger";
/** Attempts of one record when other replicas write the same ConfigMap at the same time. */
const MAX_ATTEMPTS = 16;
const ENTRIES_KEY = "entries";

/** Returns the name of the ConfigMap with one repository's spend entries of one UTC day. */
export function nameSpendConfigMap(options: { day: string; repositoryId: number }): string {
  return `paddock-spend-${options.day}-${options.repositoryId}`;
}

/**
 * Creates a spend ledger that every replica shares: one ConfigMap per repository and UTC day in
 * Paddock's namespace. Each record is a replace that carries the resourceVersion it read, so two
 * replicas recording at once cannot lose each other's entries: the loser gets a 409 and tries
 * again. A budget query reads one ConfigMap.
 * NOTE: ConfigMaps of past days are never deleted; budgets read only the current day's.
 */
export function createClusterSpendLedger(options: { api: CoordinationApi; logger: Logger; maxEntries?: number }): SpendLedger {
  const { api, logger } = options;
  const maxEntries = options.maxEntries ?? MAX_SPEND_ENTRIES_PER_CONFIGMAP;

  return {
    async spentToday(query) {
      const name = nameSpendConfigMap({ day: query.day, repositoryId: query.repositoryId });
      return sumSpend(readEntries(await api.readConfigMap(name)), query);
    },

    async record(entry) {
      requireSpendDay(entry.day);
      const name = nameSpendConfigMap(entry);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const current = await api.readConfigMap(name);
        const entries = readEntries(current);
        if (entries.length >= maxEntries) {
          throw new Error(`spend ConfigMap ${name} is full with ${maxEntries} entries, so the spend of environment ${entry.environment} was not recorded`);
        }
        const body = buildSpendConfigMap({ name, current, entries: [...entries, entry] });
        try {
          await (current ? api.replaceConfigMap(body) : api.createConfigMap(body));
          return;
        } catch (error) {
          if (!(error instanceof CoordinationConflictError)) throw error;
          logger.debug({ configMap: name, attempt }, "spend ledger write conflicted; reading it again");
          // Writers in lockstep store one entry per round, so a random pause spreads them out.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        }
      }
      throw new Error(`spend ConfigMap ${name} changed ${MAX_ATTEMPTS} times while the spend of environment ${entry.environment} was recorded, so it was not recorded; retry when fewer replicas create environments at once`);
    },
  };
}

/** Reads the entries of a spend ConfigMap; a ConfigMap whose entries are not valid JSON entries is an error, not an empty ledger. */
function readEntries(configMap: V1ConfigMap | undefined): SpendEntry[] {
  const text = configMap?.data?.[ENTRIES_KEY];
  if (text === undefined) return [];
  const parsed = z.array(spendEntrySchema).safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`spend ConfigMap ${configMap?.metadata?.name} has invalid entries: ${parsed.error.issues[0]?.message ?? "unknown problem"}`);
  return parsed.data;
}

function buildSpendConfigMap(options: { name: string; current: V1ConfigMap | undefined; entries: SpendEntry[] }): V1ConfigMap {
  const { name, current } = options;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      ...(current?.metadata ?? {}),
      name,
      // No COORDINATION_LABEL: every replica lists the objects with that label each Lease round.
      labels: { ...(current?.metadata?.labels ?? {}), "app.kubernetes.io/component": SPEND_COMPONENT, "app.kubernetes.io/managed-by": "paddock" },
    },
    data: { [ENTRIES_KEY]: JSON.stringify(options.entries) },
  };
}
