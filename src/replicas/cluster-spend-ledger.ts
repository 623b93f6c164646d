import type { Logger } from "pino";
import { requireSpendDay, spendEntrySchema, sumSpend, type SpendLedger } from "../policy/records/spend-ledger.ts";
import { createConfigMapEntries } from "./config-map-entries.ts";
import { CoordinationConflictError, type CoordinationApi } from "./lease-api.ts";
import { foldSpendEntries } from "./prune-shared-records.ts";

/**
 * Maximum entries in one spend ConfigMap. An entry with a 63-character environment name takes
 * about 270 bytes of JSON, so 3,000 stay under 820 KB, below the API server's 1 MiB object limit.
 */
export const MAX_SPEND_ENTRIES_PER_CONFIGMAP = 3_000;
/** Value of `app.kubernetes.io/component` on spend ConfigMaps, which deploy/ admission policy lets Paddock write. */
export const SPEND_COMPONENT = "spend-ledger";

/** Returns the name of the ConfigMap with one repository's spend entries of one UTC day. */
export function nameSpendConfigMap(options: { day: string; repositoryId: number }): string {
  return `paddock-spend-${options.day}-${options.repositoryId}`;
}

/** Reads the day and repository id from a spend ConfigMap's name; undefined for another name. */
export function parseSpendConfigMapName(name: string): { day: string; repositoryId: number } | undefined {
  const match = /^paddock-spend-(\d{4}-\d{2}-\d{2})-(\d+)$/.exec(name);
  return match ? { day: match[1]!, repositoryId: Number(match[2]) } : undefined;
}

/**
 * Creates a spend ledger that every replica shares: one ConfigMap per repository and UTC day in
 * Paddock's namespace, appended to with optimistic concurrency (see createConfigMapEntries). A
 * budget query reads one ConfigMap. A full ConfigMap has its entries folded into one sum per
 * actor class and currency (see foldSpendEntries). The record that creates a day's ConfigMap
 * deletes the spend ConfigMaps of every repository older than the day before. Budgets read only
 * the current UTC day, and the day before is kept for replicas whose clocks lag around midnight.
 */
export function createClusterSpendLedger(options: { api: CoordinationApi; logger: Logger; maxEntries?: number }): SpendLedger {
  const { api, logger } = options;
  const maxEntries = options.maxEntries ?? MAX_SPEND_ENTRIES_PER_CONFIGMAP;
  const entries = createConfigMapEntries({
    api,
    logger,
    schema: spendEntrySchema,
    component: SPEND_COMPONENT,
    maxEntries,
    prune: (stored) => foldSpendEntries(stored, maxEntries),
  });

  return {
    async spentToday(query) {
      return sumSpend(await entries.read(nameSpendConfigMap({ day: query.day, repositoryId: query.repositoryId })), query);
    },
    async record(entry) {
      requireSpendDay(entry.day);
      const { created } = await entries.append(nameSpendConfigMap(entry), entry, `the spend of environment ${entry.environment}`);
      if (!created) return;
      try {
        await deleteSpendBefore({ api, logger, day: previousUtcDay(entry.day) });
      } catch (error) {
        logger.warn({ err: error, day: entry.day }, "deleting the spend ConfigMaps of past days failed; the next day's first record tries again");
      }
    },
  };
}

/** Deletes the spend ConfigMaps of days before `day`. One written since it was listed is kept. */
async function deleteSpendBefore(options: { api: CoordinationApi; logger: Logger; day: string }): Promise<void> {
  const { api, logger, day } = options;
  for (const configMap of await api.listComponentConfigMaps(SPEND_COMPONENT)) {
    const name = configMap.metadata?.name ?? "";
    const parsed = parseSpendConfigMapName(name);
    if (!parsed || parsed.day >= day) continue;
    try {
      await api.deleteConfigMap(name, configMap.metadata?.resourceVersion);
      logger.info({ configMap: name }, "spend ConfigMap of a past day deleted");
    } catch (error) {
      if (!(error instanceof CoordinationConflictError)) throw error;
      logger.warn({ configMap: name }, "spend ConfigMap of a past day changed while it was deleted, so it was kept");
    }
  }
}

/** Returns the UTC day before a `YYYY-MM-DD` day. */
function previousUtcDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}
