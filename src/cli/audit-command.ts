import { PaddockError } from "../errors.ts";
import { AUDIT_QUERY_USAGE, runAuditQueryCommand } from "./audit-query-command.ts";
import { AUDIT_VERIFY_USAGE, runAuditVerifyCommand } from "./audit-verify-command.ts";
import { printUsage, type CliIo } from "./cli-io.ts";

/** Usage lines of the audit subcommands. */
export const AUDIT_USAGE = [AUDIT_VERIFY_USAGE, AUDIT_QUERY_USAGE];

/** Dispatches `paddock audit verify` and `paddock audit query`. */
export async function runAuditCommand(options: { args: string[]; io: CliIo }): Promise<number> {
  const [subcommand, ...rest] = options.args;
  if (subcommand === "verify") return runAuditVerifyCommand({ args: rest, io: options.io });
  if (subcommand === "query") return runAuditQueryCommand({ args: rest, io: options.io });
  if (subcommand === "--help" || subcommand === "-h" || subcommand === "help") return printUsage({ io: options.io, usage: AUDIT_USAGE });
  throw new PaddockError("USAGE", `unknown audit subcommand "${subcommand ?? ""}"`, { hint: `usage: ${AUDIT_USAGE.join(" | ")}` });
}
