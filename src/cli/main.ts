import { describeError, PaddockError } from "../errors.ts";
import { AUDIT_USAGE, runAuditCommand } from "./audit-command.ts";
import { EXIT_USAGE, type CliIo } from "./cli-io.ts";
import { PLAN_USAGE, runPlanCommand } from "./plan-command.ts";
import { POLICY_USAGE, runPolicyCommand } from "./policy-command.ts";
import { RUN_USAGE, runRunCommand } from "./run-command.ts";

const USAGE = ["Usage:", `  ${PLAN_USAGE}`, `  ${RUN_USAGE}`, `  ${POLICY_USAGE}`, ...AUDIT_USAGE.map((line) => `  ${line}`), ""].join("\n");

/** Parses the command line and dispatches to one command; resolves with the exit code. */
export async function main(options: { args: string[]; io: CliIo }): Promise<number> {
  const { args, io } = options;
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "plan":
        return runPlanCommand({ args: rest, io });
      case "run":
        return await runRunCommand({ args: rest, io });
      case "policy":
        return runPolicyCommand({ args: rest, io });
      case "audit":
        return await runAuditCommand({ args: rest, io });
      case undefined:
      case "help":
      case "--help":
      case "-h":
        if (command === undefined) {
          io.stderr(USAGE);
          return EXIT_USAGE;
        }
        io.stdout(USAGE);
        return 0;
      default:
        io.stderr(`paddock: unknown command "${command}"\n${USAGE}`);
        return EXIT_USAGE;
    }
  } catch (error) {
    return reportError({ error, io });
  }
}

function reportError(options: { error: unknown; io: CliIo }): number {
  const { error, io } = options;
  // parseArgs throws TypeErrors with codes such as ERR_PARSE_ARGS_UNKNOWN_OPTION for bad flags.
  const isUsage = error instanceof PaddockError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
  io.stderr(`paddock: ${describeError(error)}\n`);
  // A ledger checkout that cannot be checked fails like a broken chain, not like a wrong flag.
  if (error instanceof PaddockError && (error.code === "SANDBOX_UNAVAILABLE" || error.code === "AUDIT_CHECKOUT_INVALID")) return 1;
  return isUsage ? EXIT_USAGE : 1;
}
