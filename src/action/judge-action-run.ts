import type { RepoConfig } from "../config/repo-config-schema.ts";
import { resolvePriceTable } from "../cost/price-table.ts";
import { actorEvidence, planEnvironment, type PlanEvent } from "../environments/plan-environment.ts";
import type { ActorClassification } from "../policy/actor-class.ts";
import { classifyActor } from "../policy/classify-actor.ts";
import type { LocatedConfig } from "../policy/decide-environment.ts";
import { toDecisionView } from "../policy/decision-view.ts";
import type { OrgPolicy, PolicySource } from "../policy/org-policy-schema.ts";
import { utcDay } from "../policy/records/spend-ledger.ts";
import type { ListedEnvironment } from "../providers/provider.ts";
import { gatherUsage } from "../service/gather-usage.ts";
import type { Governance, Judgement } from "../service/judge-pull-request.ts";

/** Headline of a run that waits for an approval, which only the app can take. */
export const APPROVAL_HEADLINE = "Waiting for approval: nothing ran. Approve on the pull request, where Paddock runs as an app";

/**
 * Judges a workflow run's environment under the org policy as the app judges a pull request:
 * the actor's class, the live environments the provider lists, today's spend, then the plan.
 * The environment settings come from `config`, the checkout's own file. An allowed
 * environment's projected cost is recorded in the spend ledger before it is created.
 */
export async function judgeActionRun(options: {
  event: PlanEvent;
  config: LocatedConfig<RepoConfig>;
  policy: OrgPolicy;
  policySource: PolicySource;
  governance: Governance;
  listEnvironments: () => Promise<ListedEnvironment[]>;
  now: Date;
}): Promise<Judgement & { actor: ActorClassification }> {
  const { event, config, policy, policySource, governance, now } = options;

  // 1. Who acts and what they already use.
  const actor = classifyActor({ evidence: actorEvidence(event), agents: policy.agents });
  // Usage leaves out the environment being judged, so its name comes first from a plan without usage.
  const draft = planEnvironment({ event, config, policy, policySource, actor, now });
  const currency = resolvePriceTable({ policy: policy.cost }).currency;
  const usage = await gatherUsage({
    sources: { listEnvironments: options.listEnvironments, ledger: governance.ledger },
    repositoryId: event.repository.id,
    environmentName: draft.environment.name,
    actor,
    currency,
    now,
  });

  // 2. Plan and judge with that usage.
  const plan = planEnvironment({ event, config, policy, policySource, actor, usage, now });
  const decision = toDecisionView(plan.decision);
  if (plan.decision.verdict === "denied") return { kind: "stop", actor, view: { conclusion: "failure", headline: "Denied by org policy: nothing ran", decision, notes: [] } };
  if (plan.decision.verdict === "approval_required") return { kind: "stop", actor, view: { conclusion: "action_required", headline: APPROVAL_HEADLINE, decision, notes: [] } };

  // 3. Record the projected spend before the environment exists, so a crash never under-counts.
  await governance.ledger.record({
    day: utcDay(now),
    repositoryId: event.repository.id,
    actorClass: actor.actorClass,
    environment: plan.environment.name,
    headSha: event.pullRequest.headSha,
    currency: plan.decision.cost?.currency ?? currency,
    nanos: plan.decision.cost?.nanos ?? "0",
    at: now.toISOString(),
  });
  return { kind: "run", actor, plan, view: { decision, notes: [] } };
}
