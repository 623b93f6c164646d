import type { Logger } from "pino";
import type { CheckRunView } from "../checks/check-run-view.ts";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import type { Provider } from "../providers/provider.ts";
import type { CheckRunSink } from "./check-run-reporter.ts";
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
}

/** Finds runs that were in progress when Paddock stopped; one list call to the provider. */
export async function findInterruptedRuns(provider: Pick<Provider, "listEnvironments">): Promise<InterruptedRun[]> {
  const runs: InterruptedRun[] = [];
  for (const environment of await provider.listEnvironments()) {
    const { annotations } = environment;
    const checkRunId = Number(annotations[CHECK_RUN_ANNOTATION]);
    const installationId = Number(annotations[INSTALLATION_ANNOTATION]);
    const repository = annotations[`${LABEL_PREFIX}/repository`];
    const headSha = annotations[`${LABEL_PREFIX}/head-sha`];
    if (!annotations[RUN_STARTED_ANNOTATION] || !(checkRunId > 0) || !(installationId > 0) || !repository || !headSha) continue;
    runs.push({ environmentName: environment.name, checkRunId, installationId, repository, headSha });
  }
  return runs;
}

/**
 * Reports every interrupted run: its check run completes as cancelled with a headline that says
 * why and how to build again, and the environment is marked as no longer running.
 */
export async function recoverInterruptedRuns(options: {
  provider: Provider;
  sinkFor: (run: InterruptedRun) => Promise<CheckRunSink | undefined>;
  logger: Logger;
}): Promise<InterruptedRun[]> {
  const { provider, sinkFor, logger } = options;
  const recovered: InterruptedRun[] = [];
  for (const run of await findInterruptedRuns(provider)) {
    try {
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
