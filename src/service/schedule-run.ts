import type { Logger } from "pino";
import type { CheckRunView } from "../checks/check-run-view.ts";
import { environmentActions } from "../environments/environment-actions.ts";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import type { KeyedScheduler } from "../environments/keyed-scheduler.ts";
import { describeError } from "../errors.ts";
import { resolvePriceTable } from "../cost/price-table.ts";
import type { EnvironmentPlan } from "../environments/plan-environment.ts";
import { markLogged, wasLogged } from "../logged-errors.ts";
import type { DeferredWrites } from "../github/deferred-writes.ts";
import { describeUnreportedCommits, type UnreportedCommits } from "./unreported-commits.ts";
import { DetachError, type Provider } from "../providers/provider.ts";
import { auditProvider, auditSink, describeJudgementForAudit, describeRunForAudit, type AuditedEvent, type RunAuditContext } from "./audited-run.ts";
import type { AuditTrail } from "./audit-trail.ts";
import type { CheckRunSink } from "./check-run-reporter.ts";
import type { Governance } from "./judge-pull-request.ts";
import type { InstallationClients } from "./paddock-service.ts";
import { annotateRuns, markRunFinished } from "./run-annotations.ts";
import { runPullRequest } from "./run-pull-request.ts";

/**
 * Deferred writes an installation may have waiting before a superseded commit gets no check run
 * of its own. Octokit's throttling sends an installation's writes a second apart, so this is
 * about two minutes of cancellations.
 */
export const MAX_DEFERRED_WRITES = 120;

/** The event a run builds: a pull request's head, or a branch's head when `pullRequest.number` is null. */
export type RunEvent = AuditedEvent & { deliveryId: string; installationId: number | null };

/** The environment a run uses, once it is known. */
export interface RunEnvironment {
  key: EnvironmentKey;
  name: string;
}

/** One run to schedule for an environment's queue. */
export interface RunRequest {
  event: RunEvent;
  /** The scheduler key the run is serialized under. */
  lane: string;
  clients: InstallationClients;
  logger: Logger;
  /** The name shown before `resolveEnvironment` has run, such as on a commit superseded before it started. */
  provisionalName: string;
  /** Finds the environment the run uses; called once, before the run's check run is created. */
  resolveEnvironment: () => Promise<RunEnvironment>;
  /** Creates the check run only when the run starts, because the run may end without one (see `skip`). */
  lateCheckRun?: boolean;
  /** Runs first, before any check run: resolves true when there is nothing to do and the run ends without a trace. */
  skip?: (signal: AbortSignal) => Promise<boolean>;
  /** Runs once the check run exists: resolves a headline to end the run as neutral before anything is read or created. */
  precheck?: () => Promise<string | undefined>;
  /** An existing check run the run reports to, such as one of a run resumed on another replica. */
  checkRunId?: number;
  /**
   * Passes the run to the replica that took its lane over, with its check run when it has one.
   * Called when this replica lets go of the lane before the run prepared its environment. After
   * that, the new owner resumes the run from the environment's annotations instead.
   */
  handOver?: (checkRunId: number | undefined) => Promise<void>;
}

/** The service's provider, queue, records and clock, shared by every scheduled run. */
export interface RunDependencies {
  provider: Provider;
  scheduler: KeyedScheduler;
  deferredWrites: DeferredWrites;
  /** See `MAX_DEFERRED_WRITES`. */
  maxDeferredWrites: number;
  unreported: UnreportedCommits;
  track: <T>(promise: Promise<T>) => Promise<T>;
  now: () => Date;
  governance: Governance;
  audit?: AuditTrail;
}

/**
 * Queues one run under its lane and reports it as a check run: superseded commits get a cancelled
 * check run, a run that starts gets an `in_progress` one at once, then the pipeline runs in the
 * environment `resolveEnvironment` names.
 */
export function scheduleRun(dependencies: RunDependencies, request: RunRequest): void {
  const { provider, scheduler, deferredWrites, maxDeferredWrites, unreported, track, now, governance } = dependencies;
  const { event, clients, logger, lane } = request;
  const number = event.pullRequest.number;
  const installationId = event.installationId ?? 0;

  const view: CheckRunView = {
    environmentName: request.provisionalName,
    headSha: event.pullRequest.headSha,
    provider: provider.kind,
    status: "in_progress",
    steps: [],
    configProblems: [],
    notes: [],
  };
  // With an audit trail, every step, denial and cancellation of this run leaves a record.
  const auditContext: RunAuditContext = { event, environmentName: request.provisionalName, provider: provider.kind, ...(provider.cluster ? { cluster: provider.cluster } : {}), checkRunId: request.checkRunId ?? null, records: [] };
  const trail = dependencies.audit;
  // The environment is resolved once, before the check run that names it.
  let environment: Promise<RunEnvironment> | undefined;
  const resolveEnvironment = (): Promise<RunEnvironment> => {
    environment ??= request.resolveEnvironment().then((resolved) => {
      view.environmentName = resolved.name;
      auditContext.environmentName = resolved.name;
      return resolved;
    });
    return environment;
  };

  // Creating the check run includes resolving the environment it names, and counts as a write from the start.
  const resolvingSink: CheckRunSink = {
    ...clients.sink,
    start: async (started) => {
      await resolveEnvironment();
      return clients.sink.start(started);
    },
  };
  const auditedSink = trail ? auditSink({ sink: resolvingSink, trail, context: auditContext }) : resolvingSink;
  // A pull request's run that reached its steps has a live environment, so its check run offers Extend and Destroy.
  const sink: CheckRunSink = {
    ...auditedSink,
    complete: (id, completed) =>
      auditedSink.complete(id, number !== null && completed.steps.length > 0 && !completed.actions ? { ...completed, actions: environmentActions(number) } : completed),
  };
  const runProvider = trail ? auditProvider({ provider, trail, context: auditContext }) : provider;

  // Work that starts at once on a free pipeline slot gets its check run now, outside the
  // queue, so the pull request shows it in milliseconds. Work that waits gets one only when it
  // starts or is superseded, so a commit superseded in a burst costs one GitHub write.
  let checkRunId: Promise<number> | undefined = request.checkRunId === undefined ? undefined : Promise.resolve(request.checkRunId);
  const ensureCheckRun = (): Promise<number> => {
    checkRunId ??= track(sink.start(view));
    return checkRunId;
  };
  const handOverRun = async (): Promise<void> => {
    if (!request.handOver) return;
    await request.handOver(checkRunId ? await checkRunId : undefined);
  };
  // A commit superseded before its run started gets its own cancelled check run, one write. When
  // its installation already has `maxDeferredWrites` writes waiting, the run that replaces it
  // names it instead, so a sustained flood of pushes cannot grow the queue without bound.
  let unreportedBefore: string[] = [];
  const reportSuperseded = async (reason: string): Promise<void> => {
    // Commits a run took over and then lost to an abort wait for the next run again.
    if (unreportedBefore.length > 0) unreported.add(lane, unreportedBefore);
    unreportedBefore = [];
    const cancelled: CheckRunView = { ...view, status: "completed", conclusion: "cancelled", headline: reason };
    await sink.createCompleted(cancelled);
    logger.info({ reason }, "queued run superseded");
  };
  const installationQueue = String(installationId);
  const slotFree = scheduler.freeSlots > 0;

  const outcome = scheduler.submit(lane, {
    kind: "run",
    sha: event.pullRequest.headSha,
    ...(request.handOver ? { handOver: handOverRun } : {}),
    // A superseded commit's check run waits behind the other cancellations of its installation,
    // so the newest commit's in_progress check run is never queued behind all of them.
    supersede: async (reason) => {
      if (!checkRunId && deferredWrites.waiting(installationQueue) >= maxDeferredWrites) {
        unreported.add(lane, [event.pullRequest.headSha]);
        if (trail) await track(trail.record({ ...describeRunForAudit(auditContext), action: "run.cancelled" }));
        logger.info({ reason, waiting: deferredWrites.waiting(installationQueue) }, "queued run superseded; the newer run names it because its installation's writes are backed up");
        return;
      }
      return track(
        deferredWrites.run(installationQueue, async () => {
          if (checkRunId) {
            await sink.complete(await checkRunId, { ...view, status: "completed", conclusion: "cancelled", headline: reason });
            logger.info({ reason }, "queued run superseded");
          } else await reportSuperseded(reason);
        }),
      );
    },
    execute: async (signal) => {
      // Detached: the lane's new owner runs it. Once the environment is prepared, it resumes the run from there.
      const detached = (): boolean => signal.reason instanceof DetachError;
      if (detached()) return handOverRun();
      if (request.skip && (await request.skip(signal))) return;
      unreportedBefore = unreported.take(lane);
      // Aborted while it waited for a pipeline slot and without a check run yet: superseded.
      if (signal.aborted && !checkRunId) {
        await reportSuperseded(describeError(signal.reason));
        return;
      }
      if (unreportedBefore.length > 0) view.notes = [...view.notes, describeUnreportedCommits(unreportedBefore)];
      let prepared = false;
      const runSink = detachableSink({ sink, detached });
      const id = await ensureCheckRun();
      const { key, name } = await resolveEnvironment();
      if (detached()) return handOverRun();
      // Aborted while it waited for a pipeline slot: report that, and read and record nothing.
      if (signal.aborted) {
        await sink.complete(id, { ...view, status: "completed", conclusion: "cancelled", headline: describeError(signal.reason) });
        return;
      }
      try {
        const headline = await request.precheck?.();
        if (headline !== undefined) {
          await sink.complete(id, { ...view, status: "completed", conclusion: "neutral", headline });
          return;
        }
        const annotated = annotateRuns({ provider: runProvider, checkRunId: () => id, installationId: event.installationId ?? 0, now, event });
        const markPrepared = async (prepareRequest: Parameters<Provider["prepare"]>[0]) => {
          const environment = await annotated.prepare(prepareRequest);
          prepared = true;
          return environment;
        };
        const marked: Provider = { ...annotated, kind: annotated.kind, prepare: markPrepared };
        const deployments = { octokit: clients.octokit, owner: event.repository.owner, repo: event.repository.name };
        // Records made from here on name the policy, the decision and who allowed the run, and price steps with the org's prices.
        const onJudged = (plan: EnvironmentPlan): void => {
          auditContext.judgement = describeJudgementForAudit(plan.decision);
          auditContext.prices = resolvePriceTable({ ...(plan.costPolicy ? { policy: plan.costPolicy } : {}), ...(provider.cluster ? { cluster: provider.cluster } : {}) });
        };
        const finished = await runPullRequest({ event, environmentKey: key, octokit: clients.octokit, mintToken: clients.mintRepositoryToken, provider: marked, sink: runSink, checkRunId: id, view, signal, logger, now, governance, deployments, onJudged });
        logger.info({ conclusion: finished.conclusion, detached: detached() }, detached() ? "pipeline detached" : "pipeline finished");
      } catch (error) {
        logger.error({ err: error }, "pipeline failed");
        const headline = `Paddock failed before the pipeline finished: ${describeError(error)}`;
        await runSink.complete(id, { ...view, status: "completed", conclusion: "failure", headline });
      } finally {
        if (detached()) {
          if (!prepared) await handOverRun();
          return;
        }
        await markRunFinished({ provider, environmentName: name, logger });
        // The records are durable in the spool already. Flushing outside the run keeps a slow or
        // rate-limited ledger from holding a pipeline slot, and flushes called meanwhile batch up.
        if (trail) void track(trail.flush());
      }
    },
  });
  if (outcome === "started" && slotFree && !request.lateCheckRun) ensureCheckRun().catch((error: unknown) => logOnce(logger, error, "creating the check run failed"));
}

/** Wraps a sink so that nothing is written once the run was detached: the lane's new owner reports instead. */
function detachableSink(options: { sink: CheckRunSink; detached: () => boolean }): CheckRunSink {
  const { sink, detached } = options;
  return {
    start: (view) => sink.start(view),
    createCompleted: (view) => sink.createCompleted(view),
    update: async (id, view) => (detached() ? undefined : sink.update(id, view)),
    complete: async (id, view) => (detached() ? undefined : sink.complete(id, view)),
  };
}

/** Logs an error that no inner handler logged yet, and marks it so the scheduler does not log it again. */
function logOnce(logger: Logger, error: unknown, message: string): void {
  if (wasLogged(error)) return;
  logger.error({ err: error }, message);
  markLogged(error);
}
