import type { Logger } from "pino";
import type { CheckRunView } from "../checks/check-run-view.ts";
import { readEnvironmentKey } from "../environments/decide-sweep.ts";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import type { ListedEnvironment, Provider } from "../providers/provider.ts";
import type { CheckRunSink } from "./check-run-reporter.ts";
import { readBranchRunEvent, readRunEvent, type BranchRunEvent } from "./read-run-event.ts";
import { CHECK_RUN_ANNOTATION, INSTALLATION_ANNOTATION, RUN_STARTED_ANNOTATION } from "./run-annotations.ts";

/** Headline of a check run whose pipeline a restart interrupted. */
export const INTERRUPTED_HEADLINE = "Cancelled: Paddock restarted while this pipeline ran, so its result is lost. Re-run this check to build the commit again";

/** A run that was in progress when Paddock stopped, found from its environment's annotations. */
export interface InterruptedRun {
  environmentName: string;
  checkRunId: number;
  installationId: number;
  repository: string;
  headSha: string;
  /** The environment's key, from its labels; undefined for an environment without one. */
  key: EnvironmentKey | undefined;
  /** The run's pull request event, when the environment records it; a pull request's run can be resumed only with it. */
  event: PullRequestEvent | undefined;
  /** The push event of a branch run without a pull request, when the environment records it. */
  branchEvent: BranchRunEvent | undefined;
}

/** An interrupted run whose environment records its event, so it can run again on the same check run. */
export type ResumableRun = InterruptedRun & ({ source: "pull_request"; event: PullRequestEvent } | { source: "branch"; branchEvent: BranchRunEvent });

/**
 * Finds runs that were in progress when Paddock stopped; one list call to the provider. With
 * `accept`, only environments it returns true for are considered, such as the keys one replica owns.
 */
export async function findInterruptedRuns(provider: Pick<Provider, "listEnvironments">, accept: (environment: ListedEnvironment) => boolean = () => true): Promise<InterruptedRun[]> {
  const runs: InterruptedRun[] = [];
  for (const environment of await provider.listEnvironments()) {
    if (!accept(environment)) continue;
    const { annotations } = environment;
    const checkRunId = Number(annotations[CHECK_RUN_ANNOTATION]);
    const installationId = Number(annotations[INSTALLATION_ANNOTATION]);
    const repository = annotations[`${LABEL_PREFIX}/repository`];
    const headSha = annotations[`${LABEL_PREFIX}/head-sha`];
    if (!annotations[RUN_STARTED_ANNOTATION] || !(checkRunId > 0) || !(installationId > 0) || !repository || !headSha) continue;
    const event = readRunEvent(annotations);
    const branchEvent = readBranchRunEvent(annotations);
    const matches = (recorded: { installationId: number | null; pullRequest: { headSha: string } } | undefined) =>
      recorded !== undefined && recorded.pullRequest.headSha === headSha && recorded.installationId === installationId;
    runs.push({
      environmentName: environment.name,
      checkRunId,
      installationId,
      repository,
      headSha,
      key: readEnvironmentKey(environment),
      event: matches(event) ? event : undefined,
      branchEvent: matches(branchEvent) ? branchEvent : undefined,
    });
  }
  return runs;
}

/**
 * Reports every interrupted run: its check run completes as cancelled with a headline that says
 * why and how to build again, and the environment is marked as no longer running. With `resume`,
 * a run whose event (a pull request's, or a branch push's) the environment records is handed to
 * it instead, to run again on the same check run. A provider whose steps outlive the process then
 * adopts the steps that ran.
 */
export async function recoverInterruptedRuns(options: {
  provider: Provider;
  sinkFor: (run: InterruptedRun) => Promise<CheckRunSink | undefined>;
  logger: Logger;
  accept?: (environment: ListedEnvironment) => boolean;
  resume?: (run: ResumableRun) => void;
}): Promise<InterruptedRun[]> {
  const { provider, sinkFor, logger, resume } = options;
  const recovered: InterruptedRun[] = [];
  for (const run of await findInterruptedRuns(provider, options.accept)) {
    try {
      const resumable = toResumable(run);
      if (resume && resumable) {
        resume(resumable);
        recovered.push(run);
        logger.info({ environment: run.environmentName, checkRunId: run.checkRunId }, "interrupted run resumed");
        continue;
      }
      const sink = await sinkFor(run);
      if (!sink) continue;
      const view: CheckRunView = {
        environmentName: run.environmentName,
        headSha: run.headSha,
        provider: provider.kind,
        status: "completed",
        conclusion: "cancelled",
        headline: INTERRUPTED_HEADLINE,
        steps: [],
        configProblems: [],
        notes: [],
      };
      await sink.complete(run.checkRunId, view);
      await provider.annotate({ environmentName: run.environmentName, annotations: { [RUN_STARTED_ANNOTATION]: null } });
      recovered.push(run);
      logger.info({ environment: run.environmentName, checkRunId: run.checkRunId }, "interrupted run reported");
    } catch (error) {
      logger.error({ err: error, environment: run.environmentName, checkRunId: run.checkRunId }, "reporting an interrupted run failed");
    }
  }
  return recovered;
}

function toResumable(run: InterruptedRun): ResumableRun | undefined {
  if (run.event) return { ...run, source: "pull_request", event: run.event };
  if (run.branchEvent) return { ...run, source: "branch", branchEvent: run.branchEvent };
  return undefined;
}
