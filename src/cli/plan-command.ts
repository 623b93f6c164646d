import { parseArgs } from "node:util";
import { REPO_CONFIG_PATH } from "../config/load-repo-config.ts";
import { planEnvironment } from "../environments/plan-environment.ts";
import { PaddockError } from "../errors.ts";
import { parseCliTime } from "./parse-cli-time.ts";
import { HELP_OPTION, printUsage, type CliIo } from "./cli-io.ts";
import { readConfigFlag, readPolicyFlag, readPullRequestPayload } from "./read-inputs.ts";

export const PLAN_USAGE = "paddock plan --event NAME --payload FILE [--config FILE] [--org-policy FILE] [--now ISO-TIME]";

/**
 * Prints the plan for an event as JSON: environment, decision and steps. Uses no network. Exits
 * 0 whatever the decision, so scripts read `decision.allowed`.
 */
export function runPlanCommand(options: { args: string[]; io: CliIo }): number {
  const { values } = parseArgs({
    args: options.args,
    options: {
      event: { type: "string" },
      payload: { type: "string" },
      config: { type: "string" },
      "org-policy": { type: "string" },
      now: { type: "string" },
      ...HELP_OPTION,
    },
    strict: true,
  });
  if (values.help) return printUsage({ io: options.io, usage: [PLAN_USAGE] });
  if (!values.event || !values.payload) {
    throw new PaddockError("USAGE", "plan needs --event and --payload", { hint: `usage: ${PLAN_USAGE}` });
  }

  const event = readPullRequestPayload({ event: values.event, path: values.payload, cwd: options.io.cwd });
  const config = readConfigFlag({ path: values.config ?? REPO_CONFIG_PATH, cwd: options.io.cwd });
  const { policy, source } = readPolicyFlag({ path: values["org-policy"], cwd: options.io.cwd });
  const now = parseNow(values.now);

  const plan = planEnvironment({ event, config, policy, policySource: source, now });
  options.io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
  return 0;
}

function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  return parseCliTime({ flag: "--now", text });
}
