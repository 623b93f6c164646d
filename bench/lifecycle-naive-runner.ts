import type { ApplicationFunction, Context } from "probot";

/** Counts of the pipelines the naive runner would have started and what they would cost. */
export interface NaiveRunnerStats {
  /** Pipelines started: one per push, none ever cancelled. */
  started: number;
  /** Highest number of its pipelines running at once for one pull request. */
  maxOverlapPerPullRequest: number;
  /** Check-run writes it would send: a create and a completion per pipeline. */
  checkRunWrites: number;
  /** Pipeline time added up, in milliseconds. */
  pipelineMs: number;
}

/**
 * Creates a model of a CI runner without cancellation or coalescing. It is loaded as a second app into
 * the same Probot server, so it receives the same deliveries as Paddock. It starts a pipeline of
 * `pipelineMs` for every pull_request push and lets each run to its end. It only counts: no
 * build runs and no request goes to GitHub.
 */
export function createNaiveRunner(options: { pipelineMs: number }): { app: ApplicationFunction; stats: () => NaiveRunnerStats } {
  let started = 0;
  let maxOverlap = 0;
  const running = new Map<number, number>();

  const app: ApplicationFunction = (probot) => {
    probot.onAny(async (anyContext) => {
      const context = anyContext as unknown as Context;
      const payload = context.payload as { action?: string; pull_request?: { number?: number } };
      if (context.name !== "pull_request" || !["opened", "synchronize", "reopened"].includes(payload.action ?? "")) return;
      const number = payload.pull_request?.number ?? 0;

      started += 1;
      const active = (running.get(number) ?? 0) + 1;
      running.set(number, active);
      maxOverlap = Math.max(maxOverlap, active);
      setTimeout(() => running.set(number, (running.get(number) ?? 1) - 1), options.pipelineMs).unref();
    });
  };

  const stats = (): NaiveRunnerStats => ({
    started,
    maxOverlapPerPullRequest: maxOverlap,
    checkRunWrites: started * 2,
    pipelineMs: started * options.pipelineMs,
  });
  return { app, stats };
}
