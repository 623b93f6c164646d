import type { CheckRunView } from "../checks/check-run-view.ts";
import { createCheckRunReporter, type ChecksClient, type ReporterLogger } from "../checks/report-check-run.ts";
import { renderCheckRun } from "../checks/render-check-run.ts";
import { describeError, PaddockError } from "../errors.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import { NO_CHECK_RUN, type CheckRunSink } from "../service/check-run-reporter.ts";

/** A check-run sink that also returns the last completed view and the id of the check run it posted. */
export interface CapturingSink extends CheckRunSink {
  /** The view of the last `complete` or `createCompleted`, with the audit records the audit sink added. */
  completedView(): CheckRunView | undefined;
  /** The id of the check run posted last; NO_CHECK_RUN when none was posted. */
  checkRunId(): number;
}

/** Creates a sink that posts nothing, for runs without a token or outside a pull request. */
export function createSilentSink(): CapturingSink {
  let completed: CheckRunView | undefined;
  return {
    start: async () => NO_CHECK_RUN,
    update: async () => undefined,
    complete: async (_id, view) => {
      completed = view;
    },
    createCompleted: async (view) => {
      completed = view;
      return NO_CHECK_RUN;
    },
    completedView: () => completed,
    checkRunId: () => NO_CHECK_RUN,
  };
}

interface ReusedCheckRun {
  id: number;
  completed: boolean;
}

/**
 * Creates a sink that posts the run's check run through the app's reporter, keeping one check
 * run per environment and head SHA. A check run of the same name and environment on the commit
 * (a re-run of the workflow) is reused. GitHub keeps a completed check run completed, so a
 * reused completed one gets no progress updates, only the new conclusion at the end. When that
 * update is rejected because another app owns the check run, a new completed check run is created.
 */
export function createActionCheckRunSink(options: { octokit: ChecksClient & GitHubRequester; owner: string; repo: string; logger: ReporterLogger }): CapturingSink {
  const { octokit, owner, repo, logger } = options;
  const reporter = createCheckRunReporter({ octokit, owner, repo, logger });
  let reused: ReusedCheckRun | undefined;
  let posted = NO_CHECK_RUN;
  let completed: CheckRunView | undefined;

  return {
    async start(view) {
      reused = await findCheckRun({ octokit, owner, repo, view, logger });
      posted = reused?.id ?? (await startCheckRun(() => reporter.start(view)));
      return posted;
    },
    async update(id, view) {
      if (reused?.completed && reused.id === id) return;
      await reporter.update(id, view);
    },
    async complete(id, view) {
      completed = view;
      try {
        await reporter.complete(id, view);
      } catch (error) {
        if (reused?.id !== id || !isForbiddenOrMissing(error)) throw error;
        logger.warn({ checkRunId: id, detail: describeError(error) }, "reused check run rejected the update; creating a new one");
        posted = await reporter.createCompleted(view);
      }
    },
    async createCompleted(view) {
      completed = view;
      posted = await startCheckRun(() => reporter.createCompleted(view));
      return posted;
    },
    completedView: () => completed,
    checkRunId: () => posted,
  };
}

async function findCheckRun(options: { octokit: GitHubRequester; owner: string; repo: string; view: CheckRunView; logger: ReporterLogger }): Promise<ReusedCheckRun | undefined> {
  const { octokit, owner, repo, view, logger } = options;
  const name = renderCheckRun(view).name;
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: view.headSha, check_name: name, filter: "all", per_page: 100 });
    const runs = (response.data as { check_runs?: Array<{ id: number; status: string; external_id: string | null }> }).check_runs ?? [];
    const newest = runs.filter((run) => run.external_id === view.environmentName).sort((left, right) => right.id - left.id)[0];
    if (newest) logger.info({ checkRunId: newest.id, status: newest.status }, "check run of this environment and commit reused");
    return newest ? { id: newest.id, completed: newest.status === "completed" } : undefined;
  } catch (error) {
    logger.warn({ detail: describeError(error) }, "listing check runs failed; creating a new one");
    return undefined;
  }
}

async function startCheckRun(create: () => Promise<number>): Promise<number> {
  try {
    return await create();
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status !== 403 && status !== 404) throw error;
    throw new PaddockError("USAGE", `creating the check run failed with HTTP ${status}: ${describeError(error)}`, {
      hint: "give the job `permissions: checks: write`, or leave github-token empty to run without a check run",
      cause: error,
    });
  }
}

function isForbiddenOrMissing(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return status === 403 || status === 404;
}
