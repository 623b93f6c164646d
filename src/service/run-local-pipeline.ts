import type { Logger } from "pino";
import type { CheckRunView } from "../checks/check-run-view.ts";
import type { RepoConfig } from "../config/repo-config-schema.ts";
import { planEnvironment } from "../environments/plan-environment.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import { runPipeline } from "../pipeline/run-pipeline.ts";
import type { LocatedConfig } from "../policy/decide-environment.ts";
import { toDecisionView } from "../policy/decision-view.ts";
import type { OrgPolicy, PolicySource } from "../policy/org-policy-schema.ts";
import { createLocalProvider } from "../providers/local/local-provider.ts";

/**
 * Plans and runs a pull request's pipeline on a local git repository with the local provider,
 * as `paddock run` and the Action do. Resolves with the completed check-run view.
 */
export async function runLocalPipeline(options: {
  event: PullRequestEvent;
  config: LocatedConfig<RepoConfig>;
  policy: OrgPolicy;
  policySource: PolicySource;
  repositoryDir: string;
  sha: string;
  stateDir: string;
  sandbox: "bwrap" | "none";
  /** Maximum bytes of output kept in each log on the host; the local provider's default when unset. */
  logMaxBytes?: number;
  notes: string[];
  signal: AbortSignal;
  logger: Logger;
  onProgress: (view: CheckRunView) => Promise<void>;
}): Promise<CheckRunView> {
  const { event, sha } = options;

  // 1. Plan for the commit that is built.
  const planned = { ...event, pullRequest: { ...event.pullRequest, headSha: sha } };
  const plan = planEnvironment({ event: planned, config: options.config, policy: options.policy, policySource: options.policySource, now: new Date() });
  const view: CheckRunView = {
    environmentName: plan.environment.name,
    headSha: sha,
    provider: "local",
    status: "in_progress",
    steps: [],
    configProblems: [],
    notes: options.notes,
    decision: toDecisionView(plan.decision),
  };

  // 2. Run unless policy denies it.
  if (plan.decision.verdict === "approval_required") {
    return { ...view, status: "completed", conclusion: "action_required", headline: "Waiting for approval: nothing ran. Approve on the pull request, where Paddock runs as an app" };
  }
  if (!plan.decision.allowed) return { ...view, status: "completed", conclusion: "failure", headline: "Denied by org policy: nothing ran" };
  const provider = createLocalProvider({ stateDir: options.stateDir, sandbox: options.sandbox, logMaxBytes: options.logMaxBytes, logger: options.logger });
  return runPipeline({
    provider,
    plan,
    source: { kind: "git", sha, repositoryDir: options.repositoryDir },
    view,
    signal: options.signal,
    logger: options.logger,
    onProgress: options.onProgress,
  });
}
