import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import { POLICY_ANNOTATIONS } from "../policy/policy-annotations.ts";
import type { ActionContext } from "./action-context.ts";
import { describeKey } from "./down-command.ts";
import { nameEventEnvironment } from "./read-action-event.ts";

/**
 * Reports whether the event's environment exists, from the provider's list of environments,
 * with its head SHA and expiry, as outputs and a job summary. A missing environment is not a
 * failure: `exists` is then false.
 */
export async function runStatusCommand(context: ActionContext): Promise<void> {
  const { event, provider, toolkit } = context;
  const environmentName = nameEventEnvironment(event);
  const listed = (await provider.listEnvironments()).find((environment) => environment.name === environmentName);

  const headSha = listed?.annotations[`${LABEL_PREFIX}/head-sha`] ?? "";
  const expiresAt = listed?.annotations[`${LABEL_PREFIX}/expires-at`] ?? "";
  toolkit.setOutput("environment", environmentName);
  toolkit.setOutput("namespace", listed && provider.kind === "kubernetes" ? environmentName : "");
  toolkit.setOutput("exists", listed ? "true" : "false");
  toolkit.setOutput("head-sha", headSha);
  toolkit.setOutput("expires-at", expiresAt);

  if (!listed) {
    toolkit.info(`paddock: environment ${environmentName} does not exist`);
    await toolkit.writeSummary(`## Environment ${environmentName} does not exist\n\nProvider: ${provider.kind}. Key: ${describeKey(event)}.\n`);
    return;
  }
  // The Kubernetes provider lists a namespace's phase; the local provider has none.
  const phase = "phase" in listed && typeof listed.phase === "string" ? listed.phase : "Active";
  const expired = expiresAt !== "" && Date.parse(expiresAt) <= context.now().getTime();
  const rows = [
    ["state", `${phase}${expired ? " (expired, so the next sweep removes it)" : ""}`],
    ["head commit", headSha || "unknown"],
    ["expires at", expiresAt || "unknown"],
    ["actor", `${listed.annotations[POLICY_ANNOTATIONS.actor] ?? "unknown"} (${listed.annotations[POLICY_ANNOTATIONS.actorClass] ?? "unknown"})`],
    ["provider", provider.kind],
    ["key", describeKey(event)],
  ];
  toolkit.info(`paddock: environment ${environmentName} exists at ${headSha.slice(0, 7) || "an unknown commit"}`);
  await toolkit.writeSummary([`## Environment ${environmentName} exists`, "", "| | |", "| --- | --- |", ...rows.map(([name, value]) => `| ${name} | ${value} |`), ""].join("\n"));
}
