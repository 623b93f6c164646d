import { describeError } from "../errors.ts";
import { markLogged } from "../logged-errors.ts";
import type { CheckAnnotation } from "./check-annotation.ts";
import type { CheckRunAction, CheckRunView, PipelineConclusion } from "./check-run-view.ts";
import { chunkAnnotations, MAX_ANNOTATIONS_PER_REQUEST } from "./output-limits.ts";
import { renderCheckRun, type RenderedCheckRun } from "./render-check-run.ts";

/** The `output` object of a check-run create or update request. */
export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}

/** The subset of `octokit.rest.checks` the reporter calls; Probot's and @octokit/rest's clients fit. */
export interface ChecksClient {
  rest: {
    checks: {
      create(parameters: {
        owner: string;
        repo: string;
        name: string;
        head_sha: string;
        status: "in_progress" | "completed";
        external_id: string;
        started_at?: string;
        conclusion?: PipelineConclusion;
        completed_at?: string;
        output: CheckRunOutput;
        actions?: CheckRunAction[];
      }): Promise<{ data: { id: number } }>;
      update(parameters: {
        owner: string;
        repo: string;
        check_run_id: number;
        status?: "completed";
        conclusion?: PipelineConclusion;
        completed_at?: string;
        output: CheckRunOutput;
        actions?: CheckRunAction[];
      }): Promise<unknown>;
    };
  };
}

/** The subset of a pino logger the reporter calls. */
export interface ReporterLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Posts one check run's lifecycle to GitHub. */
export interface CheckRunReporter {
  /** Creates an `in_progress` check run for the view's head SHA and returns its id. */
  start(view: CheckRunView): Promise<number>;
  /** Updates the title and summary; skips the request when neither changed, and only logs failures. */
  update(id: number, view: CheckRunView): Promise<void>;
  /** Completes the check run with its conclusion, then posts the annotations 50 to a request. */
  complete(id: number, view: CheckRunView): Promise<void>;
  /** Creates a check run that is already completed, in one request, for work that never started. */
  createCompleted(view: CheckRunView): Promise<number>;
}

/**
 * Least time between writes to one check run before a progress update goes out, in
 * milliseconds. A pipeline shorter than this costs two writes: the create and the completion.
 */
export const MIN_PROGRESS_INTERVAL_MS = 10_000;

/**
 * Creates a reporter that turns views into check-run requests through `octokit.rest.checks`.
 * `start` and the first request of `complete` rethrow failures after logging them. Progress
 * updates and later annotation requests only log, because the pipeline must not stop for them.
 */
export function createCheckRunReporter(options: {
  octokit: ChecksClient;
  owner: string;
  repo: string;
  logger: ReporterLogger;
  /** Clock for `started_at` and `completed_at`; defaults to the system clock. */
  now?: () => Date;
  /** Least time between two writes to one check run before a progress update is sent; see MIN_PROGRESS_INTERVAL_MS. */
  minProgressIntervalMs?: number;
}): CheckRunReporter {
  const { octokit, owner, repo, logger } = options;
  const target: ReportTarget = { octokit, owner, repo, logger };
  const now = options.now ?? (() => new Date());
  const minInterval = options.minProgressIntervalMs ?? MIN_PROGRESS_INTERVAL_MS;
  const lastProgress = new Map<number, string>();
  const lastWriteAt = new Map<number, number>();

  return {
    async start(view) {
      const id = await createCheckRun(target, view, now());
      lastWriteAt.set(id, now().getTime());
      return id;
    },

    async update(id, view) {
      const output = progressOutput(renderCheckRun({ ...view, status: "in_progress" }));
      const key = JSON.stringify(output);
      if (lastProgress.get(id) === key) {
        logger.debug({ checkRunId: id }, "check run update skipped: output unchanged");
        return;
      }
      if (now().getTime() - (lastWriteAt.get(id) ?? 0) < minInterval) {
        logger.debug({ checkRunId: id }, "check run update skipped: the last write was too recent");
        return;
      }
      try {
        await octokit.rest.checks.update({ owner, repo, check_run_id: id, output });
        lastProgress.set(id, key);
        lastWriteAt.set(id, now().getTime());
      } catch (error) {
        logger.warn({ err: error, checkRunId: id, detail: describeError(error) }, "check run progress update failed");
      }
    },

    async createCompleted(view) {
      const rendered = renderCheckRun({ ...view, status: "completed" });
      const conclusion = rendered.conclusion ?? "neutral";
      const response = await octokit.rest.checks.create({
        owner,
        repo,
        name: rendered.name,
        head_sha: view.headSha,
        status: "completed",
        conclusion,
        external_id: view.environmentName,
        completed_at: formatTimestamp(now()),
        output: { title: rendered.title, summary: rendered.summary, ...(rendered.annotations.length > 0 ? { annotations: rendered.annotations.slice(0, MAX_ANNOTATIONS_PER_REQUEST) } : {}) },
        ...(rendered.actions ? { actions: rendered.actions } : {}),
      });
      logger.info({ checkRunId: response.data.id, conclusion, headSha: view.headSha }, "completed check run created");
      return response.data.id;
    },

    async complete(id, view) {
      lastProgress.delete(id);
      lastWriteAt.delete(id);
      await completeCheckRun(target, { id, rendered: renderCheckRun({ ...view, status: "completed" }), completedAt: now() });
    },
  };
}

interface ReportTarget {
  octokit: ChecksClient;
  owner: string;
  repo: string;
  logger: ReporterLogger;
}

async function createCheckRun(target: ReportTarget, view: CheckRunView, startedAt: Date): Promise<number> {
  const { octokit, owner, repo, logger } = target;
  const rendered = renderCheckRun({ ...view, status: "in_progress" });
  try {
    const response = await octokit.rest.checks.create({
      owner,
      repo,
      name: rendered.name,
      head_sha: view.headSha,
      status: "in_progress",
      external_id: view.environmentName,
      started_at: formatTimestamp(startedAt),
      output: progressOutput(rendered),
    });
    logger.info({ checkRunId: response.data.id, name: rendered.name, headSha: view.headSha }, "check run created");
    return response.data.id;
  } catch (error) {
    logger.error({ err: error, name: rendered.name, headSha: view.headSha }, "check run creation failed");
    markLogged(error);
    throw error;
  }
}

async function completeCheckRun(target: ReportTarget, options: { id: number; rendered: RenderedCheckRun; completedAt: Date }): Promise<void> {
  const { octokit, owner, repo, logger } = target;
  const { id, rendered } = options;
  const [first = [], ...rest] = chunkAnnotations(rendered.annotations);
  const output: CheckRunOutput = { title: rendered.title, summary: rendered.summary };
  const conclusion = rendered.conclusion ?? "neutral";

  // 1. Conclude, with the details and the first annotations.
  try {
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: id,
      status: "completed",
      conclusion,
      completed_at: formatTimestamp(options.completedAt),
      output: { ...output, ...(rendered.text ? { text: rendered.text } : {}), ...(first.length > 0 ? { annotations: first } : {}) },
      ...(rendered.actions ? { actions: rendered.actions } : {}),
    });
    logger.info({ checkRunId: id, conclusion, annotations: rendered.annotations.length }, "check run completed");
  } catch (error) {
    logger.error({ err: error, checkRunId: id, conclusion }, "check run completion failed");
    throw error;
  }

  // 2. GitHub appends the annotations of each further update to the ones already there.
  for (const [index, chunk] of rest.entries()) {
    try {
      await octokit.rest.checks.update({ owner, repo, check_run_id: id, output: { ...output, annotations: chunk } });
    } catch (error) {
      logger.error({ err: error, checkRunId: id, request: index + 2, annotations: chunk.length }, "check run annotation update failed");
    }
  }
}

// Progress requests carry only the title and summary; the details follow when the run completes.
function progressOutput(rendered: RenderedCheckRun): CheckRunOutput {
  return { title: rendered.title, summary: rendered.summary };
}

// GitHub documents timestamps as `YYYY-MM-DDTHH:MM:SSZ`, without milliseconds.
function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
