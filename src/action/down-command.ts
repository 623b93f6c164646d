import type { TEARDOWN_REASONS } from "../audit/audit-record-schema.ts";
import { classifyActionActor, describeAgent } from "./action-actor.ts";
import type { ActionContext } from "./action-context.ts";
import { readOrgPolicyInput } from "./read-action-files.ts";
import { nameEventEnvironment, type ActionEvent } from "./read-action-event.ts";

/**
 * Tears the event's environment down and records it in the audit trail. An environment that is
 * already gone is a success and leaves no record. The reason is `closed` or `merged` on a
 * closed pull request, else `requested`.
 */
export async function runDownCommand(context: ActionContext): Promise<void> {
  const { event, provider, toolkit } = context;
  const environmentName = nameEventEnvironment(event);
  const namespace = provider.kind === "kubernetes" ? environmentName : null;

  // 1. Tear down; the provider succeeds when nothing is there.
  const existed = (await provider.listEnvironments()).some((environment) => environment.name === environmentName);
  await provider.teardown({ environmentName });

  // 2. Record who removed it and why.
  if (existed) {
    const { policy } = readOrgPolicyInput({ path: context.inputs.orgPolicy, workspace: context.workspace });
    const actor = classifyActionActor({ event, policy });
    await context.trail.record({
      action: "environment.torn_down",
      actor: event.sender,
      agent: describeAgent({ actor, branch: event.branch }),
      repository: { id: event.repository.id, fullName: event.repository.fullName },
      pullRequest: event.pullRequest,
      branch: event.branch,
      headSha: event.headSha,
      deliveryId: event.deliveryId,
      environment: { name: environmentName, provider: provider.kind, cluster: provider.cluster ?? null, namespace },
      teardownReason: describeReason(event),
    });
    // The step ends with this flush, so it does not wait for the append interval.
    await context.trail.flush({ immediate: true });
  }

  // 3. Outputs and summary.
  toolkit.setOutput("environment", environmentName);
  toolkit.setOutput("namespace", namespace ?? "");
  toolkit.setOutput("conclusion", "success");
  const outcome = existed ? "torn down" : "was already gone";
  toolkit.info(`paddock: environment ${environmentName} ${outcome}`);
  await toolkit.writeSummary(`## Environment ${environmentName} ${outcome}\n\nProvider: ${provider.kind}. Key: ${describeKey(event)}.\n`);
}

function describeReason(event: ActionEvent): (typeof TEARDOWN_REASONS)[number] {
  if (event.pullRequest !== null && event.action === "closed") return event.merged ? "merged" : "closed";
  return "requested";
}

/** Describes the environment's key for people, such as `pull request #12` or `branch copilot/fix`. */
export function describeKey(event: ActionEvent): string {
  return event.pullRequest === null ? `branch ${event.branch}` : `pull request #${event.pullRequest}`;
}
