import type { KeyObject } from "node:crypto";
import { realpathSync } from "node:fs";
import { resolve, sep } from "node:path";
import { loadCheckpointVerifyKey } from "../audit/audit-checkpoint.ts";
import { loadPemSettingKey, readPemSetting } from "../audit/read-pem-setting.ts";
import { readAuditCheckout } from "../audit/read-audit-checkout.ts";
import { verifyAuditLedger } from "../audit/verify-audit-ledger.ts";
import { describeSignatures, describeUnsignedRecords } from "../cli/describe-signatures.ts";
import { PaddockError } from "../errors.ts";
import type { ActionInputs } from "./action-inputs.ts";
import type { ActionToolkit } from "./action-toolkit.ts";

/**
 * Checks a checkout of the audit repository (the `audit-path` input, relative to the
 * workspace) with the CLI's verifier, and the checkpoint signatures when `audit-public-key`
 * contains a public key in PEM or the path of one, relative to the workspace. Fails the step naming the first bad sequence number.
 */
export async function runAuditVerifyCommand(options: { inputs: ActionInputs; workspace: string; toolkit: ActionToolkit }): Promise<void> {
  const { inputs, workspace, toolkit } = options;
  const keyValue = inputs.auditPublicKey;
  const publicKey = keyValue === undefined ? undefined : readPublicKey(keyValue, workspace);
  const checkout = await readAuditCheckout(resolveAuditPath(inputs.auditPath, workspace));
  const { problem, intactRecords, checkpoints, signaturesChecked, signedThrough } = verifyAuditLedger({ ...checkout, ...(publicKey ? { publicKey } : {}) });

  toolkit.setOutput("conclusion", problem ? "failure" : "success");
  if (problem) {
    const message = `Audit chain broken at sequence ${problem.sequence} (${problem.kind}): ${problem.message}`;
    await toolkit.writeSummary(`## ${message}\n\n${intactRecords} records from sequence 1 passed every check.\n`);
    toolkit.setFailed(message);
    return;
  }
  const signatures = describeSignatures({ keyGiven: publicKey !== undefined, signaturesChecked, hint: "set audit-public-key to check them" });
  const unsigned = describeUnsignedRecords({ intactRecords, signedThrough });
  const message = `Audit chain holds: ${intactRecords} records, ${checkpoints} checkpoints, ${signatures}.${unsigned === "" ? "" : ` ${unsigned}`}`;
  toolkit.info(message);
  await toolkit.writeSummary(`## ${message}\n`);
}

function readPublicKey(value: string, workspace: string): KeyObject {
  const setting = readPemSetting({ name: "input audit-public-key", value, cwd: workspace, hint: "set the Ed25519 public key's PEM text, or the path of a PEM file in the checkout" });
  return loadPemSettingKey(setting, loadCheckpointVerifyKey);
}

/**
 * Resolves the `audit-path` input against the workspace and rejects a path that, after following
 * links, is outside the workspace, because the input names a checkout in the workspace. A missing
 * folder is left to readAuditCheckout, which reports it.
 */
function resolveAuditPath(path: string, workspace: string): string {
  const absolute = resolve(workspace, path);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    return absolute;
  }
  const root = realpathSync(workspace);
  if (real === root || real.startsWith(`${root}${sep}`)) return absolute;
  throw new PaddockError("USAGE", `input audit-path ${path} resolves outside the workspace`, {
    hint: "check out the audit repository inside the workspace, such as with actions/checkout's path: paddock-audit",
  });
}
