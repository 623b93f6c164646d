import { resolve } from "node:path";
import { loadCheckpointVerifyKey } from "../audit/audit-checkpoint.ts";
import { readAuditCheckout } from "../audit/read-audit-checkout.ts";
import { verifyAuditLedger } from "../audit/verify-audit-ledger.ts";
import { describeSignatures } from "../cli/describe-signatures.ts";
import { readFlagFile } from "../cli/read-inputs.ts";
import type { ActionInputs } from "./action-inputs.ts";
import type { ActionToolkit } from "./action-toolkit.ts";

/**
 * Checks a checkout of the audit repository (the `audit-path` input, relative to the
 * workspace) with the CLI's verifier, and the checkpoint signatures when `audit-public-key`
 * names a public key. Fails the step naming the first bad sequence number.
 */
export async function runAuditVerifyCommand(options: { inputs: ActionInputs; workspace: string; toolkit: ActionToolkit }): Promise<void> {
  const { inputs, workspace, toolkit } = options;
  const keyPath = inputs.auditPublicKey;
  const publicKey = keyPath === undefined ? undefined : loadCheckpointVerifyKey(readFlagFile({ flag: "input audit-public-key", path: keyPath, cwd: workspace }));
  const checkout = await readAuditCheckout(resolve(workspace, inputs.auditPath));
  const { problem, intactRecords, checkpoints, signaturesChecked } = verifyAuditLedger({ ...checkout, ...(publicKey ? { publicKey } : {}) });

  toolkit.setOutput("conclusion", problem ? "failure" : "success");
  if (problem) {
    const message = `Audit chain broken at sequence ${problem.sequence} (${problem.kind}): ${problem.message}`;
    await toolkit.writeSummary(`## ${message}\n\n${intactRecords} records from sequence 1 passed every check.\n`);
    toolkit.setFailed(message);
    return;
  }
  const signatures = describeSignatures({ keyGiven: publicKey !== undefined, signaturesChecked, hint: "set audit-public-key to check them" });
  const message = `Audit chain holds: ${intactRecords} records, ${checkpoints} checkpoints, ${signatures}.`;
  toolkit.info(message);
  await toolkit.writeSummary(`## ${message}\n`);
}
