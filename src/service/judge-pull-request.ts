import type { CheckRunView } from "../checks/check-run-view.ts";
import { formatConfigProblem } from "../config/config-problem.ts";
import { readRepoConfig, REPO_CONFIG_PATH } from "../config/load-repo-config.ts";
import type { RepoConfig } from "../config/repo-config-schema.ts";
import { resolvePriceTable } from "../cost/price-table.ts";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import { actorEvidence, eventKey, planEnvironment, type EnvironmentPlan, type PlanEvent } from "../environments/plan-environment.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import { readRepositoryFile, type GitHubRequester } from "../github/repository-gateway.ts";
import { classifyActor } from "../policy/classify-actor.ts";
import type { LocatedConfig } from "../policy/decide-environment.ts";
import { APPROVE_LABEL, approveAction, toDecisionView } from "../policy/decision-view.ts";
import type { OrgPolicy, PolicySource } from "../policy/org-policy-schema.ts";
import type { ApprovalStore } from "../policy/records/approval-store.ts";
import { utcDay, type SpendLedger } from "../policy/records/spend-ledger.ts";
import { describeSettingsChange } from "../policy/settings-change.ts";
import type { ListedEnvironment } from "../providers/provider.ts";
import { gatherUsage } from "./gather-usage.ts";

/** Paddock's own records that policy reads: spend so far and approvals given. */
export interface Governance {
  ledger: SpendLedger;
  approvals: ApprovalStore;
}

/** The fields of a completed check run that ends the work before anything runs. */
export type StopView = Pick<CheckRunView, "conclusion" | "headline" | "decision" | "notes" | "actions">;

/** Either a plan to run, with the check run's decision and notes, or a check run to complete now. */
export type Judgement = { kind: "run"; plan: EnvironmentPlan; view: Pick<CheckRunView, "decision" | "notes"> } | { kind: "stop"; view: StopView; plan?: EnvironmentPlan };

/**
 * Judges one pull request or branch head under the org policy: environment settings from the
 * default branch, steps from the head, the actor's class, live environments, spend and approvals.
 * An allowed environment's projected cost is recorded in the spend ledger before it is created.
 */
export async function judgePullRequest(options: {
  event: PlanEvent;
  /** The environment's key when it is not the event's own; see planEnvironment. */
  environmentKey?: EnvironmentKey;
  octokit: GitHubRequester;
  head: LocatedConfig<RepoConfig>;
  policy: OrgPolicy;
  policySource: PolicySource;
  governance: Governance;
  listEnvironments?: () => Promise<ListedEnvironment[]>;
  now: Date;
  /** The provider's cluster, which picks the org policy's price table. */
  cluster?: string;
}): Promise<Judgement> {
  const { event, octokit, head, policy, policySource, governance, now } = options;
  const { owner, name: repo, defaultBranch } = event.repository;

  // 1. Environment settings come from the default branch, never from the pull request.
  const base = readRepoConfig({ text: (await readRepositoryFile({ octokit, owner, repo, path: REPO_CONFIG_PATH, ref: defaultBranch }))?.text });
  if (base.kind === "invalid") return { kind: "stop", view: invalidBaseView(defaultBranch, base.problems.map(formatConfigProblem)) };
  const settings = base.kind === "valid" ? { value: base.config.environment, file: base.file, locate: base.locate } : { ...head, value: undefined };
  const notes = describeChange({ base: base.kind === "valid" ? base.config.environment : undefined, head: head.value.environment, defaultBranch });

  // 2. Who acts, what they already use, and whether this commit was approved.
  const actor = classifyActor({ evidence: actorEvidence(event), agents: policy.agents });
  const key = options.environmentKey ?? eventKey(event);
  const { number } = event.pullRequest;
  const environmentName = nameEnvironment({ repositoryName: repo, key });
  const cluster = options.cluster ? { cluster: options.cluster } : {};
  const currency = resolvePriceTable({ policy: policy.cost, ...cluster }).currency;
  const usage = await gatherUsage({ sources: { listEnvironments: options.listEnvironments, ledger: governance.ledger }, repositoryId: key.repositoryId, environmentName, actor, currency, now });
  // Approvals are given on a pull request, so a branch without one has none.
  const approved = number === null ? undefined : await governance.approvals.find({ repositoryId: key.repositoryId, pullRequest: number, headSha: event.pullRequest.headSha });
  const approval = approved ? { login: approved.login, permission: approved.permission } : undefined;

  // 3. Plan and judge.
  const plan = planEnvironment({ event, config: head, settings, policy, policySource, actor, usage, approval, key, now, ...cluster });
  const decision = toDecisionView(plan.decision);
  if (plan.decision.verdict === "denied") return { kind: "stop", plan, view: { conclusion: "failure", headline: "Denied by org policy: nothing ran", decision, notes } };
  if (plan.decision.verdict === "approval_required") {
    if (number === null) {
      const headline = `Waiting for approval: open a pull request from ${event.pullRequest.headRef} to approve commit ${event.pullRequest.headSha.slice(0, 7)}`;
      return { kind: "stop", plan, view: { conclusion: "action_required", headline, decision, notes } };
    }
    const headline = `Waiting for approval: press "Approve and run" or add the label ${APPROVE_LABEL}; this approves commit ${event.pullRequest.headSha.slice(0, 7)} only`;
    return { kind: "stop", plan, view: { conclusion: "action_required", headline, decision, notes, actions: [approveAction(number)] } };
  }

  // 4. Record the projected spend before the environment exists, so a crash never under-counts.
  await governance.ledger.record({
    day: utcDay(now),
    repositoryId: key.repositoryId,
    actorClass: actor.actorClass,
    environment: environmentName,
    headSha: event.pullRequest.headSha,
    currency: plan.decision.cost?.currency ?? currency,
    nanos: plan.decision.cost?.nanos ?? "0",
    at: now.toISOString(),
  });
  return { kind: "run", plan, view: { decision, notes } };
}

function describeChange(options: { base: RepoConfig["environment"]; head: RepoConfig["environment"]; defaultBranch: string }): string[] {
  const changes = describeSettingsChange({ base: options.base, head: options.head });
  if (changes.length === 0) return [];
  return [
    `This pull request changes the environment settings in ${REPO_CONFIG_PATH}. They take effect after merge: this run uses the settings of ${options.defaultBranch}. It would change ${changes.join("; ")}.`,
  ];
}

function invalidBaseView(defaultBranch: string, problems: string[]): StopView {
  return {
    conclusion: "failure",
    headline: `Denied: ${REPO_CONFIG_PATH} on ${defaultBranch} is invalid, so its environment settings cannot be judged`,
    decision: { allowed: false, verdict: "denied", reasons: problems.map((problem) => `${problem} (on ${defaultBranch})`) },
    notes: [],
  };
}
