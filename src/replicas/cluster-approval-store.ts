import type { Logger } from "pino";
import { approvalRecordSchema, findApproval, type ApprovalStore } from "../policy/records/approval-store.ts";
import { createConfigMapEntries } from "./config-map-entries.ts";
import type { CoordinationApi } from "./lease-api.ts";
import { dropSupersededApprovals } from "./prune-shared-records.ts";

/**
 * Maximum approvals of one pull request. An approval takes about 200 bytes of JSON, so 3,000
 * stay near 600 KB, below the API server's 1 MiB object limit, and each needs a new head commit.
 */
export const MAX_APPROVALS_PER_CONFIGMAP = 3_000;
/** Value of `app.kubernetes.io/component` on approval ConfigMaps, which deploy/ admission policy lets Paddock write. */
export const APPROVAL_COMPONENT = "approval-store";

/** Returns the name of the ConfigMap with the approvals of one pull request. */
export function nameApprovalConfigMap(options: { repositoryId: number; pullRequest: number }): string {
  return `paddock-approvals-${options.repositoryId}-${options.pullRequest}`;
}

/**
 * Creates an approval store that every replica shares: one ConfigMap per pull request in
 * Paddock's namespace, appended to with optimistic concurrency (see createConfigMapEntries). An
 * approval recorded by the replica that received it is found by the replica that runs the commit.
 * Each record drops the approvals of superseded commits (see dropSupersededApprovals), and
 * `forget` deletes a closed pull request's ConfigMap.
 */
export function createClusterApprovalStore(options: { api: CoordinationApi; logger: Logger; maxEntries?: number }): ApprovalStore {
  const entries = createConfigMapEntries({
    api: options.api,
    logger: options.logger,
    schema: approvalRecordSchema,
    component: APPROVAL_COMPONENT,
    maxEntries: options.maxEntries ?? MAX_APPROVALS_PER_CONFIGMAP,
    prune: dropSupersededApprovals,
  });

  return {
    async find(query) {
      return findApproval(await entries.read(nameApprovalConfigMap(query)), query);
    },
    async record(approval) {
      await entries.append(nameApprovalConfigMap(approval), approval, `the approval of ${approval.headSha.slice(0, 7)} by ${approval.login}`);
    },
    async forget(pullRequest) {
      await entries.remove(nameApprovalConfigMap(pullRequest));
    },
  };
}
