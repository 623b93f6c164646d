import type { CheckRunView, StepProgress } from "../checks/check-run-view.ts";
import type { EnvironmentPlan } from "../environments/plan-environment.ts";
import { describeError, PaddockError } from "../errors.ts";
import { runPipeline } from "../pipeline/run-pipeline.ts";
import type { Provider, SourceSpec } from "../providers/provider.ts";
import { auditProvider, auditSink, type RunAuditContext } from "../service/audited-run.ts";
import type { CheckRunSink } from "../service/check-run-reporter.ts";
import { createFileGovernance } from "../service/create-governance.ts";
import { describeAgent, toAuditedEvent } from "./action-actor.ts";
import { describeRunUrl, type ActionContext } from "./action-context.ts";
import { createActionCheckRunSink, createSilentSink } from "./action-check-run-sink.ts";
import { selectSteps } from "./action-inputs.ts";
import { chooseActionSource } from "./choose-action-source.ts";
import { judgeActionRun } from "./judge-action-run.ts";
import { readConfigInput, readOrgPolicyInput } from "./read-action-files.ts";
import { nameEventEnvironment } from "./read-action-event.ts";
import { reportView } from "./report-view.ts";
import { describePrepareFailure } from "../pipeline/describe-prepare-failure.ts";

/**
 * Brings up the event's environment as the app does for a pull request. It judges the run under
 * the org policy and runs the config's steps on the provider, or only prepares the environment
 * when `wait` is false. Every action goes to the audit trail, and the check run is posted when a
 * token is set on a pull request. Reports outputs, the job summary and annotations, and fails
 * the step unless the conclusion is success or neutral.
 */
export async function runUpCommand(context: ActionContext): Promise<void> {
  const { inputs, event, toolkit, workspace } = context;

  // 1. The commit, the config with the requested steps, and the org policy.
  const sha = requireBuildableCommit(context);
  const read = readConfigInput({ path: inputs.config, workspace });
  const config = { ...read, value: { ...read.value, steps: selectSteps({ steps: read.value.steps, names: inputs.steps, configPath: inputs.config }) } };
  const { policy, source: policySource } = readOrgPolicyInput({ path: inputs.orgPolicy, workspace });
  const audited = toAuditedEvent(event, sha);

  // 2. The check run and the audit trail around the provider.
  const environmentName = nameEventEnvironment(event);
  const auditContext: RunAuditContext = { event: audited, environmentName, provider: context.provider.kind, checkRunId: null, records: [] };
  const posting = context.octokit && event.pullRequest !== null;
  const capture = posting ? createActionCheckRunSink({ octokit: context.octokit!, owner: event.repository.owner, repo: event.repository.name, logger: context.logger }) : createSilentSink();
  const sink = auditSink({ sink: capture, trail: context.trail, context: auditContext });
  const provider = auditProvider({ provider: context.provider, trail: context.trail, context: auditContext });
  const view: CheckRunView = { environmentName, headSha: sha, provider: provider.kind, status: "in_progress", steps: [], configProblems: [], notes: [] };
  const checkRunId = await sink.start(view);

  // 3. Judge, then run or prepare. A throw completes the check run as failed before it propagates.
  try {
    const judgement = await judgeActionRun({
      event: audited,
      config,
      policy,
      policySource,
      governance: createFileGovernance({ stateDir: context.stateDir }),
      listEnvironments: () => context.provider.listEnvironments(),
      now: context.now(),
    });
    auditContext.agent = describeAgent({ actor: judgement.actor, branch: event.branch });
    if (judgement.kind === "stop") {
      await sink.complete(checkRunId, { ...view, ...judgement.view, status: "completed" });
    } else {
      const planned: CheckRunView = { ...view, decision: judgement.view.decision, notes: judgement.view.notes };
      await sink.complete(checkRunId, await runPlanned({ context, provider, sink, checkRunId, plan: judgement.plan, view: planned, sha }));
    }
  } catch (error) {
    const headline = `Paddock failed before the pipeline finished: ${describeError(error)}`;
    await sink.complete(checkRunId, { ...view, status: "completed", conclusion: "failure", headline }).catch((completeError: unknown) => {
      context.logger.error({ err: completeError, checkRunId }, "completing the check run after a failure failed");
    });
    await report(context, capture);
    throw error;
  } finally {
    // The step ends with this flush, so it does not wait for the append interval.
    await context.trail.flush({ immediate: true });
  }

  // 4. Outputs, summary and annotations; the step fails unless the run succeeded or was neutral.
  const { conclusion, title } = await report(context, capture);
  if (conclusion !== "success" && conclusion !== "neutral") toolkit.setFailed(`Paddock pipeline concluded ${conclusion}: ${title}`);
}

function requireBuildableCommit(context: ActionContext): string {
  const { event } = context;
  if (event.headSha === null) {
    throw new PaddockError("USAGE", `command up needs a commit, but the ${event.name} event names none`, { hint: "run up on pull_request, push or workflow_dispatch" });
  }
  if (event.pullRequest !== null && event.action === "closed") {
    throw new PaddockError("USAGE", `pull request #${event.pullRequest} is closed, so it gets no environment`, { hint: "run command down when a pull request closes" });
  }
  return event.headSha;
}

async function runPlanned(options: {
  context: ActionContext;
  provider: Provider;
  sink: CheckRunSink;
  checkRunId: number;
  plan: EnvironmentPlan;
  view: CheckRunView;
  sha: string;
}): Promise<CheckRunView> {
  const { context, provider, sink, checkRunId, plan, view, sha } = options;
  const { inputs, event, toolkit } = context;
  const access = context.octokit && inputs.githubToken ? { octokit: context.octokit, token: inputs.githubToken, apiUrl: context.env.GITHUB_API_URL || "https://api.github.com" } : undefined;
  const source = await chooseActionSource({ provider: provider.kind, workspace: context.workspace, repository: event.repository, sha, access, now: context.now });

  const timeout = inputs.timeout ? startTimeout(inputs.timeout) : undefined;
  const signal = timeout ? AbortSignal.any([context.signal, timeout.signal]) : context.signal;
  try {
    if (!inputs.wait) return await prepareOnly({ provider, plan, source, view, signal });
    const finished = await runPipeline({
      provider,
      plan,
      source,
      view,
      signal,
      logger: context.logger,
      onProgress: async (progress) => {
        const running = progress.steps.find((step) => step.status === "running");
        if (running) toolkit.info(`paddock: step ${running.name} running`);
        await sink.update(checkRunId, progress);
      },
    });
    return timeout?.signal.aborted && finished.conclusion === "cancelled" ? { ...finished, conclusion: "timed_out" } : finished;
  } finally {
    timeout?.clear();
  }
}

async function prepareOnly(options: { provider: Provider; plan: EnvironmentPlan; source: SourceSpec; view: CheckRunView; signal: AbortSignal }): Promise<CheckRunView> {
  const { provider, plan, source, view, signal } = options;
  const steps = plan.steps.map((step): StepProgress => ({ name: step.name, status: "skipped" }));
  try {
    const prepared = await provider.prepare({ environment: plan.environment, source, signal });
    const headline = `Environment ready for commit ${source.sha.slice(0, 7)}: no step ran, because input wait is false`;
    return { ...view, steps, status: "completed", conclusion: "neutral", headline, notes: [...view.notes, ...(prepared.notes ?? [])] };
  } catch (error) {
    if (signal.aborted) return { ...view, steps, status: "completed", conclusion: "cancelled", headline: describeError(signal.reason) };
    return { ...view, steps, status: "completed", conclusion: "failure", headline: describePrepareFailure(error) };
  }
}

function startTimeout(timeout: { text: string; seconds: number }): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`Timed out: up did not finish within the timeout of ${timeout.text}`)), timeout.seconds * 1000);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

async function report(context: ActionContext, capture: ReturnType<typeof createSilentSink>) {
  const view = capture.completedView();
  if (!view) return { conclusion: "failure" as const, title: "no result" };
  const checkRunId = capture.checkRunId();
  const repository = context.event.repository.fullName;
  const url = checkRunId > 0 ? `${context.env.GITHUB_SERVER_URL || "https://github.com"}/${repository}/runs/${checkRunId}` : describeRunUrl(context.env);
  return reportView({ toolkit: context.toolkit, view, links: { checkRunId, url } });
}
