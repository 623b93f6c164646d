import type { EnvironmentPlan } from "../environments/plan-environment.ts";
import type { Logger } from "pino";
import type { CheckRunView } from "../checks/check-run-view.ts";
import { readRepoConfig, REPO_CONFIG_PATH } from "../config/load-repo-config.ts";
import { readRepositoryFile, tarballSource, type GitHubRequester, type RepositoryTokenMinter } from "../github/repository-gateway.ts";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import type { PlanEvent } from "../environments/plan-environment.ts";
import { runPipeline } from "../pipeline/run-pipeline.ts";
import { fetchOrgPolicy } from "../policy/load-org-policy.ts";
import type { Provider } from "../providers/provider.ts";
import type { CheckRunSink } from "./check-run-reporter.ts";
import type { DeploymentTarget } from "../github/preview-deployment.ts";
import { openPreviewDeployment } from "./preview-deployments.ts";
import { judgePullRequest, type Governance } from "./judge-pull-request.ts";

/** Example shown on the neutral check run of a repository without config. */
export const CONFIG_EXAMPLE = [
  "environment:",
  '  resources: { cpu: "1", memory: 2Gi }',
  "  ttl: 24h",
  "steps:",
  "  - name: test",
  "    image: node:24",
  "    run: npm ci && npm test",
].join("\n");

/** Returns the neutral outcome of a repository without a config file, as the app and `paddock run` report it. */
export function describeMissingConfig(): Pick<CheckRunView, "status" | "conclusion" | "headline" | "notes"> {
  return {
    status: "completed",
    conclusion: "neutral",
    headline: `No Paddock config: add ${REPO_CONFIG_PATH} to this repository to get an environment for each pull request`,
    notes: [{ text: `A minimal ${REPO_CONFIG_PATH}:`, code: { language: "yaml", content: CONFIG_EXAMPLE } }],
  };
}

/**
 * Runs the pipeline for one pull request or branch head commit and completes its check run:
 * loads the repository config and the org policy, judges the environment under it, runs the steps.
 */
export async function runPullRequest(options: {
  event: PlanEvent;
  /** The environment's key when it is not the event's own; see planEnvironment. */
  environmentKey?: EnvironmentKey;
  octokit: GitHubRequester;
  /** Mints read-only tokens for this repository, for providers that fetch the source themselves. */
  mintToken?: RepositoryTokenMinter | undefined;
  provider: Provider;
  sink: CheckRunSink;
  checkRunId: number;
  view: CheckRunView;
  signal: AbortSignal;
  logger: Logger;
  now: () => Date;
  governance: Governance;
  /** Target of the preview's GitHub deployment, for a plan that exposes a service at a preview host. */
  deployments?: DeploymentTarget;
  /** Called once the org policy judged the head commit, before anything runs or the check run completes. */
  onJudged?: (plan: EnvironmentPlan) => void;
}): Promise<CheckRunView> {
  const { event, octokit, provider, sink, checkRunId, signal, logger } = options;
  const { owner, name: repo } = event.repository;
  const sha = event.pullRequest.headSha;
  const complete = async (view: CheckRunView): Promise<CheckRunView> => {
    await sink.complete(checkRunId, view);
    return view;
  };

  // 1. The repository's config at the head commit.
  const file = await readRepositoryFile({ octokit, owner, repo, path: REPO_CONFIG_PATH, ref: sha });
  const config = readRepoConfig({ text: file?.text });
  if (config.kind === "missing") {
    return complete({ ...options.view, ...describeMissingConfig() });
  }
  if (config.kind === "invalid") {
    logger.info({ problems: config.problems.length }, "repository config is invalid");
    return complete({
      ...options.view,
      status: "completed",
      conclusion: "failure",
      headline: `Invalid ${REPO_CONFIG_PATH}: nothing ran. Fix the fields marked on the file and push again`,
      configProblems: config.problems,
    });
  }

  // 2. The org policy, never guessed.
  const policy = await fetchOrgPolicy({ octokit, owner });
  if (policy.kind !== "policy") {
    const reasons =
      policy.kind === "unreadable"
        ? [policy.message]
        : policy.problems.map((problem) => `org policy ${problem.file}:${problem.line}: ${problem.field} ${problem.message}`.replace("  ", " "));
    return complete({
      ...options.view,
      status: "completed",
      conclusion: "failure",
      headline: "Denied: the org policy could not be used, so nothing ran",
      decision: { allowed: false, reasons },
    });
  }

  // 3. Plan and judge: settings from the default branch, steps from the head, the actor's profile.
  const judgement = await judgePullRequest({
    event,
    octokit,
    head: { value: config.config, file: config.file, locate: config.locate },
    policy: policy.policy,
    policySource: policy.source,
    governance: options.governance,
    ...(options.environmentKey ? { environmentKey: options.environmentKey } : {}),
    listEnvironments: () => provider.listEnvironments(),
    now: options.now(),
    ...(provider.cluster ? { cluster: provider.cluster } : {}),
  });
  if (judgement.plan) options.onJudged?.(judgement.plan);
  if (judgement.kind === "stop") return complete({ ...options.view, ...judgement.view, status: "completed", notes: [...options.view.notes, ...judgement.view.notes] });
  const { plan } = judgement;
  const planned: CheckRunView = { ...options.view, decision: judgement.view.decision, notes: [...options.view.notes, ...judgement.view.notes] };

  // 4. Run, with a preview deployment when the plan exposes a service.
  const preview = options.deployments ? await openPreviewDeployment({ target: options.deployments, plan, provider, logger }) : undefined;
  const finished = await runPipeline({
    provider: preview?.provider ?? provider,
    plan,
    source: tarballSource({ octokit, owner, repo, sha, ...(options.mintToken ? { mintToken: options.mintToken } : {}) }),
    view: planned,
    signal,
    logger,
    onProgress: (view) => sink.update(checkRunId, view),
  });
  await preview?.finish({ cancelled: finished.conclusion === "cancelled" });
  return complete(finished);
}
