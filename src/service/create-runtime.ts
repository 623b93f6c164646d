import type { Logger } from "pino";
import { describeError } from "../errors.ts";
import { createAuditTrailFromEnv } from "./create-audit-trail-from-env.ts";
import { createLogger, readLogLevel } from "./create-logger.ts";
import { createProviderFromEnv, readKubeConfig } from "./create-provider-from-env.ts";
import { createClusterApprovalStore } from "../replicas/cluster-approval-store.ts";
import { createClusterSpendLedger } from "../replicas/cluster-spend-ledger.ts";
import { createCoordinationApi } from "../replicas/lease-api.ts";
import { createReplicaCoordination, type ReplicaCoordination } from "../replicas/replica-coordination.ts";
import { readReplicaSettings } from "../replicas/replica-settings.ts";
import { createFileGovernance } from "./create-governance.ts";
import { prepareStateDir } from "./prepare-state-dir.ts";
import { createPaddockService, type PaddockService } from "./paddock-service.ts";
import { readRuntimeNumbers } from "./read-runtime-numbers.ts";

/** The app's wired dependencies, built from the environment variables the README lists. */
export interface PaddockRuntime {
  logger: Logger;
  service: PaddockService;
  /** Time between sweeps of expired and closed environments. */
  sweepIntervalMs: number;
  /** Coordination with other replicas through Leases; undefined when this process runs every key itself. */
  replicas?: ReplicaCoordination;
}

export { DEFAULT_SWEEP_INTERVAL_MS } from "./read-runtime-numbers.ts";

/**
 * Builds the logger, provider and service from environment variables: PADDOCK_STATE_DIR (see prepareStateDir),
 * PADDOCK_PROVIDER and its settings (see createProviderFromEnv), PADDOCK_CONCURRENCY, PADDOCK_SWEEP_INTERVAL (seconds),
 * the PADDOCK_AUDIT_* variables of the audit trail, the replica settings (see readReplicaSettings),
 * and LOG_LEVEL.
 */
export async function createPaddockRuntime(options: { env: NodeJS.ProcessEnv }): Promise<PaddockRuntime> {
  const { env } = options;
  const logger = createLogger({ level: readLogLevel(env) });
  const { concurrency, sweepIntervalMs } = readRuntimeNumbers(env);

  const replicaSettings = readReplicaSettings(env);
  const stateDir = await prepareStateDir(env);
  const provider = await createProviderFromEnv({ env, stateDir, logger });
  const audit = await createAuditTrailFromEnv({ env, stateDir, logger });
  logger.info({ provider: provider.kind, stateDir, concurrency }, "paddock runtime ready");
  // Records a crash left in the spool go out first.
  await audit.flush({ immediate: true });
  const coordinationApi = replicaSettings ? createCoordinationApi({ kubeConfig: readKubeConfig(env), namespace: replicaSettings.namespace }) : undefined;
  const replicas = replicaSettings ? createReplicaCoordination({ settings: replicaSettings, logger, api: coordinationApi }) : undefined;
  // Replicas share spend and approvals in the cluster, so every replica judges a commit on the same records.
  const governance = coordinationApi
    ? { ledger: createClusterSpendLedger({ api: coordinationApi, logger }), approvals: createClusterApprovalStore({ api: coordinationApi, logger }) }
    : createFileGovernance({ stateDir });
  const service = createPaddockService({ provider, logger, concurrency, governance, audit, ...(replicas ? { router: replicas.router } : {}) });
  return { logger, service, sweepIntervalMs, ...(replicas ? { replicas } : {}) };
}
