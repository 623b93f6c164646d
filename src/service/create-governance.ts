import { createJsonlApprovalStore } from "../policy/records/approval-store.ts";
import { createJsonlSpendLedger } from "../policy/records/spend-ledger.ts";
import type { Governance } from "./judge-pull-request.ts";

/** Creates the spend ledger and the approval store as files in the state directory. */
export function createFileGovernance(options: { stateDir: string }): Governance {
  return { ledger: createJsonlSpendLedger(options), approvals: createJsonlApprovalStore(options) };
}
