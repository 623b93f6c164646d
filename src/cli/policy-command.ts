import { parseArgs } from "node:util";
import { formatConfigProblem } from "../config/config-problem.ts";
import { PaddockError } from "../errors.ts";
import { readOrgPolicy } from "../policy/load-org-policy.ts";
import { HELP_OPTION, printUsage, type CliIo } from "./cli-io.ts";
import { readFlagFile } from "./read-inputs.ts";

export const POLICY_USAGE = "paddock policy check FILE";

/** Exit code of `policy check` for a file with problems. */
export const EXIT_INVALID = 1;

/**
 * Lints an org policy file: prints `FILE: valid` and exits 0, or prints one
 * `FILE:line:column: field: message` line per problem, in file order, and exits 1. Bad
 * arguments and a missing file exit 2.
 */
export function runPolicyCommand(options: { args: string[]; io: CliIo }): number {
  const { values, positionals } = parseArgs({ args: options.args, options: { ...HELP_OPTION }, allowPositionals: true, strict: true });
  if (values.help) return printUsage({ io: options.io, usage: [POLICY_USAGE] });
  const [subcommand, file, ...extra] = positionals;
  if (subcommand !== "check" || file === undefined || extra.length > 0) {
    const message =
      subcommand === undefined ? "policy needs a command" : subcommand === "check" ? "policy check needs exactly one FILE" : `unknown policy command "${subcommand}"`;
    throw new PaddockError("USAGE", message, { hint: `usage: ${POLICY_USAGE}` });
  }

  const text = readFlagFile({ flag: "FILE", path: file, cwd: options.io.cwd });
  const lookup = readOrgPolicy({ text, source: { location: file } });
  if (lookup.kind === "policy") {
    options.io.stdout(`${file}: valid\n`);
    return 0;
  }
  const problems = (lookup.kind === "invalid" ? [...lookup.problems] : []).sort((left, right) => left.line - right.line || left.column - right.column);
  options.io.stderr(`${problems.map((problem) => formatConfigProblem({ ...problem, file })).join("\n")}\n`);
  return EXIT_INVALID;
}
