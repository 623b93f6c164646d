import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { loadCheckpointVerifyKey } from "../audit/audit-checkpoint.ts";
import { readAuditCheckout } from "../audit/read-audit-checkout.ts";
import { loadPemSettingKey } from "../audit/read-pem-setting.ts";
import { verifyAuditLedger, type AuditVerification } from "../audit/verify-audit-ledger.ts";
import { PaddockError } from "../errors.ts";
import { HELP_OPTION, printUsage, type CliIo } from "./cli-io.ts";
import { describeSignatures, describeUnsignedRecords } from "./describe-signatures.ts";
import { readFlagFile } from "./read-inputs.ts";

export const AUDIT_VERIFY_USAGE = "paddock audit verify PATH [--public-key FILE] [--json]";

/** Exit code when the chain is broken. */
export const EXIT_CHAIN_BROKEN = 1;

/**
 * Checks a checkout of the audit repository. Exits 0 when the chain holds, 1 naming the first
 * bad sequence number and what is wrong with it. `--public-key` also checks checkpoint
 * signatures; `--json` prints the result as JSON.
 */
export async function runAuditVerifyCommand(options: { args: string[]; io: CliIo }): Promise<number> {
  const { io } = options;
  const { values, positionals } = parseArgs({
    args: options.args,
    options: { "public-key": { type: "string" }, json: { type: "boolean", default: false }, ...HELP_OPTION },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return printUsage({ io, usage: [AUDIT_VERIFY_USAGE] });
  if (positionals.length !== 1) {
    throw new PaddockError("USAGE", `audit verify needs one PATH, got ${positionals.length}`, { hint: `usage: ${AUDIT_VERIFY_USAGE}` });
  }

  const keyPath = values["public-key"];
  const publicKey =
    keyPath === undefined ? undefined : loadPemSettingKey({ pem: readFlagFile({ flag: "--public-key", path: keyPath, cwd: io.cwd }), label: `--public-key ${keyPath}` }, loadCheckpointVerifyKey);
  const checkout = await readAuditCheckout(resolve(io.cwd, positionals[0]!));
  const verification = verifyAuditLedger({ ...checkout, ...(publicKey ? { publicKey } : {}) });

  io.stdout(values.json ? `${JSON.stringify(verification, null, 2)}\n` : describeVerification({ verification, keyGiven: publicKey !== undefined }));
  return verification.problem === null ? 0 : EXIT_CHAIN_BROKEN;
}

function describeVerification(options: { verification: AuditVerification; keyGiven: boolean }): string {
  const { problem, intactRecords, checkpoints, signaturesChecked, signedThrough } = options.verification;
  if (problem) return `Audit chain broken at sequence ${problem.sequence} (${problem.kind}): ${problem.message}\n`;

  const signatures = describeSignatures({ keyGiven: options.keyGiven, signaturesChecked, hint: "pass --public-key FILE to check them" });
  const unsigned = describeUnsignedRecords({ intactRecords, signedThrough });
  return `Audit chain holds: ${intactRecords} records, ${checkpoints} checkpoints, ${signatures}.${unsigned === "" ? "" : ` ${unsigned}`}\n`;
}
