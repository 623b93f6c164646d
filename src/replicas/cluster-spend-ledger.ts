import type { Logger } from "pino";
import { requireSpendDay, spendEntrySchema, sumSpend, type SpendLedger } from "../policy/records/spend-ledger.ts";
import { createConfigMapEntries } from "./config-map-entries.ts";
import type { CoordinationApi } from "./lease-api.ts";

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

/**
 * Creates a spend ledger that every replica shares: one ConfigMap per repository and UTC day in
 * Paddock's namespace, appended to with optimistic concurrency (see createConfigMapEntries). A
 * budget query reads one ConfigMap.
 * NOTE: ConfigMaps of past days are never deleted; budgets read only the current day's.
 */
export function createClusterSpendLedger(options: { api: CoordinationApi; logger: Logger; maxEntries?: number }): SpendLedger {
  const entries = createConfigMapEntries({
    api: options.api,
    logger: options.logger,
    schema: spendEntrySchema,
    component: SPEND_COMPONENT,
    maxEntries: options.maxEntries ?? MAX_SPEND_ENTRIES_PER_CONFIGMAP,
  });

  return {
    async spentToday(query) {
      return sumSpend(await entries.read(nameSpendConfigMap({ day: query.day, repositoryId: query.repositoryId })), query);
    },
    async record(entry) {
      requireSpendDay(entry.day);
      await entries.append(nameSpendConfigMap(entry), entry, `the spend of environment ${entry.environment}`);
    },
  };
}
