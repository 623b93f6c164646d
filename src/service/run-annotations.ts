import type { Logger } from "pino";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import type { Provider } from "../providers/provider.ts";

/** Annotation with the check run of the environment's latest run. */
export const CHECK_RUN_ANNOTATION = `${LABEL_PREFIX}/check-run-id`;
/** Annotation with the GitHub App installation that owns the environment's repository. */
export const INSTALLATION_ANNOTATION = `${LABEL_PREFIX}/installation-id`;
/** Annotation present only while a run is in progress: when it started. */
export const RUN_STARTED_ANNOTATION = `${LABEL_PREFIX}/run-started-at`;
/** Annotation with the pull request event of the environment's latest run, as JSON, so another replica can resume the run. */
export const RUN_EVENT_ANNOTATION = `${LABEL_PREFIX}/run-event`;

/**
 * Wraps a provider so that preparing an environment also writes which check run and
 * installation its run reports to, the run's event, and that the run is in progress. After a
 * restart or a failover, these annotations are how Paddock finds runs that never reported. The
 * check run id is also the provider's run id, which names steps that outlive the process.
 */
export function annotateRuns(options: { provider: Provider; checkRunId: () => number | null; installationId: number; now: () => Date; event?: object }): Provider {
  const { provider } = options;
  return {
    ...provider,
    kind: provider.kind,
    prepare(request) {
      const checkRunId = options.checkRunId();
      const annotations: Record<string, string> = {
        ...request.environment.annotations,
        [INSTALLATION_ANNOTATION]: String(options.installationId),
        [RUN_STARTED_ANNOTATION]: options.now().toISOString(),
        ...(checkRunId === null ? {} : { [CHECK_RUN_ANNOTATION]: String(checkRunId) }),
        ...(options.event ? { [RUN_EVENT_ANNOTATION]: JSON.stringify(options.event) } : {}),
      };
      const runId = checkRunId === null ? {} : { runId: String(checkRunId) };
      return provider.prepare({ ...request, ...runId, environment: { ...request.environment, annotations } });
    },
  };
}

/**
 * Marks the environment's run as finished. A run that ended before its environment was
 * prepared (no config, a denial) has nothing to mark, so a failure is only logged.
 */
export async function markRunFinished(options: { provider: Provider; environmentName: string; logger: Logger }): Promise<void> {
  try {
    await options.provider.annotate({ environmentName: options.environmentName, annotations: { [RUN_STARTED_ANNOTATION]: null } });
  } catch (error) {
    options.logger.debug({ err: error, environment: options.environmentName }, "run not marked finished: the environment does not exist");
  }
}
