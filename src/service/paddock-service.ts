import type { Logger } from "pino";
import type { CheckRunView } from "../checks/check-run-view.ts";
import { formatEnvironmentKey, type EnvironmentKey } from "../environments/environment-key.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import { KeyedScheduler } from "../environments/keyed-scheduler.ts";
import { RecentEvents } from "../environments/recent-events.ts";
import { environmentActions, parseEnvironmentAction } from "../environments/environment-actions.ts";
import { describeError } from "../errors.ts";
import { DeferredWrites } from "../github/deferred-writes.ts";
import type { GitHubRequester, RepositoryTokenMinter } from "../github/repository-gateway.ts";
import { findRerequestedPullRequest } from "../github/find-pull-request.ts";
import { readPullRequestState } from "../github/read-pull-request-state.ts";
import type { ApprovalRequestEvent, PushEvent } from "../github/governance-events.ts";
import type { CheckRunRerequestEvent, PullRequestEvent } from "../github/webhook-event.ts";
import type { Provider } from "../providers/provider.ts";
import type { CheckRunSink } from "./check-run-reporter.ts";
import { createGovernanceHandlers } from "./governance-handlers.ts";
import type { Governance } from "./judge-pull-request.ts";
import type { TEARDOWN_REASONS } from "../audit/audit-record-schema.ts";
import { auditProvider, auditSink, type RunAuditContext } from "./audited-run.ts";
import type { AuditTrail } from "./audit-trail.ts";
import { recoverInterruptedRuns, type InterruptedRun } from "./recover-runs.ts";
import { annotateRuns, markRunFinished } from "./run-annotations.ts";
import { handleEnvironmentAction, reportEnvironmentAction } from "./handle-environment-action.ts";
import { runPullRequest } from "./run-pull-request.ts";
import { CheckRunWriteGauge } from "./check-run-write-gauge.ts";
import { describeUnreportedCommits, UnreportedCommits } from "./unreported-commits.ts";
import { sweepEnvironments, type SweepReport, type SweepTarget } from "./sweep-environments.ts";

/** Pipelines that may run at the same time across all environments. */
export const DEFAULT_PIPELINE_CONCURRENCY = 2;

/** Who and what a teardown's audit record names. */
export interface TeardownAudit {
  actor: { login: string; id: number; type: string };
  repository: { id: number; fullName: string };
  pullRequest: number | null;
  reason: (typeof TEARDOWN_REASONS)[number];
  deliveryId: string | null;
}

/** The actor of actions Paddock takes on its own, such as the sweeper's teardowns. */
export const PADDOCK_ACTOR = { login: "paddock[bot]", id: 0, type: "Bot" } as const;

/** GitHub access for one installation. */
export interface InstallationClients {
  octokit: GitHubRequester;
  sink: CheckRunSink;
  /** Mints a token that can only read this repository's contents; needed by the Kubernetes provider. */
  mintRepositoryToken?: RepositoryTokenMinter;
}

/** The long-lived core behind the app: accepts events at once and does the work in a queue. */
export interface PaddockService {
  /** Schedules the work for a pull request event and returns without waiting for it. */
  acceptPullRequest(options: { event: PullRequestEvent; clients: InstallationClients; logger: Logger; rerun?: boolean }): void;
  /** Runs a check again for its head commit when its pull request is still open. */
  acceptRerequest(options: { event: CheckRunRerequestEvent; clients: InstallationClients; logger: Logger }): void;
  /** Verifies an approval (check-run button or label) and runs the approved head commit. */
  acceptApproval(options: { event: ApprovalRequestEvent; clients: InstallationClients; logger: Logger }): void;
  /** Judges live environments again when a push changes the org policy. */
  acceptPush(options: { event: PushEvent; clients: InstallationClients; logger: Logger }): void;
  /** Tears an environment down through the queue, pre-empting the work queued for its key. */
  acceptTeardown(options: { key: EnvironmentKey; environmentName: string; reason: string; logger: Logger; audit?: TeardownAudit }): void;
  /** Removes expired, orphaned and closed environments; see sweepEnvironments. */
  sweep(options: { githubFor: (target: SweepTarget) => Promise<GitHubRequester | undefined> }): Promise<SweepReport>;
  /** Reports runs a restart interrupted, found from their environments' annotations. */
  recoverRuns(options: { sinkFor: (run: InterruptedRun) => Promise<CheckRunSink | undefined> }): Promise<InterruptedRun[]>;
  /** Resolves when every accepted event has been handled. */
  onIdle(): Promise<void>;
  /** Cancels queued and running pipelines (their check runs say why), then waits for them, bounded. */
  shutdown(options: { timeoutMs: number }): Promise<void>;
}

/** Creates the service with its provider and queue. */
export function createPaddockService(options: {
  provider: Provider;
  logger: Logger;
  now?: () => Date;
  concurrency?: number;
  /** Quiet time that ends a burst of pushes; see KeyedScheduler. */
  quietMs?: number;
  /** Spend and approval records that org policy reads. */
  governance: Governance;
  /** The audit trail every decision and action is recorded in; nothing is recorded without it. */
  audit?: AuditTrail;
}): PaddockService {
  const { provider } = options;
  const now = options.now ?? (() => new Date());
  const scheduler = new KeyedScheduler({
    logger: options.logger,
    concurrency: options.concurrency ?? DEFAULT_PIPELINE_CONCURRENCY,
    ...(options.quietMs !== undefined ? { quietMs: options.quietMs } : {}),
  });
  const recentEvents = new RecentEvents();
  const writeGauge = new CheckRunWriteGauge({ now: () => now().getTime() });
  const unreported = new UnreportedCommits();
  const deferredWrites = new DeferredWrites();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  const handlers = createGovernanceHandlers({
    provider,
    governance: options.governance,
    now,
    track,
    runPullRequest: (request) => service.acceptPullRequest(request),
    teardown: (request) => service.acceptTeardown(request),
  });

  const service: PaddockService = {
    acceptApproval(request) {
      const action = request.event.via === "check-run button" ? parseEnvironmentAction(request.event.signal) : undefined;
      if (!action) {
        handlers.acceptApproval(request);
        return;
      }
      const { event, clients, logger } = request;
      const work = handleEnvironmentAction({
        event,
        action,
        octokit: clients.octokit,
        provider,
        now: now(),
        logger,
        teardown: ({ key, environmentName }) => {
          const audit = { actor: event.sender, repository: { id: event.repository.id, fullName: event.repository.fullName }, pullRequest: action.pullRequest, reason: "requested", deliveryId: event.deliveryId } as const;
          service.acceptTeardown({ key, environmentName, reason: `requested by ${event.sender.login}`, logger, audit });
        },
      }).then(async (outcome) => {
        logger.info({ action: action.kind, outcome: outcome.kind, detail: outcome.message }, "environment button handled");
        await reportEnvironmentAction({ octokit: clients.octokit, event, outcome });
      });
      track(work).catch((error: unknown) => logger.error({ err: error, action: action.kind }, "environment button failed"));
    },
    acceptPush: (request) => handlers.acceptPush(request),

    acceptRerequest({ event, clients, logger }) {
      if (recentEvents.checkAndRemember([`delivery/${event.deliveryId}`])) {
        logger.info({ reason: "duplicate" }, "webhook ignored");
        return;
      }
      const lookup = findRerequestedPullRequest({ octokit: clients.octokit, event }).then((pullRequestEvent) => {
        if (pullRequestEvent) service.acceptPullRequest({ event: pullRequestEvent, clients, logger, rerun: true });
        else logger.info({ checkRunId: event.checkRun.id }, "re-run ignored: no open pull request has this commit as its head");
      });
      track(lookup).catch((error: unknown) => logger.error({ err: error }, "finding the pull request of a re-requested check run failed"));
    },

    acceptPullRequest({ event, clients, logger: baseLogger, rerun }) {
      // The same delivery twice, or the same event from two hooks, has no second effect; a re-run asks for one.
      const identity = `event/${event.repository.id}/${event.pullRequest.number}/${event.pullRequest.headSha}/${event.action}`;
      if (!rerun && recentEvents.checkAndRemember([`delivery/${event.deliveryId}`, identity])) {
        baseLogger.info({ reason: "duplicate", identity }, "webhook ignored");
        return;
      }
      const key: EnvironmentKey = { repositoryId: event.repository.id, pullRequest: event.pullRequest.number };
      const keyText = formatEnvironmentKey(key);
      const installationId = event.installationId ?? 0;
      const environmentName = nameEnvironment({ repositoryName: event.repository.name, key });
      const logger = baseLogger.child({ key: formatEnvironmentKey(key), environment: environmentName, sha: event.pullRequest.headSha });

      if (event.action === "closed") {
        const reason = event.pullRequest.merged ? "merged" : "closed";
        service.acceptTeardown({
          key,
          environmentName,
          reason,
          logger,
          audit: {
            actor: event.sender,
            repository: { id: event.repository.id, fullName: event.repository.fullName },
            pullRequest: event.pullRequest.number,
            reason,
            deliveryId: event.deliveryId,
          },
        });
        return;
      }
      handlers.reviewPolicy({ event, clients, logger });

      const view: CheckRunView = {
        environmentName,
        headSha: event.pullRequest.headSha,
        provider: provider.kind,
        status: "in_progress",
        steps: [],
        configProblems: [],
        notes: [],
      };
      // With an audit trail, every step, denial and cancellation of this run leaves a record.
      const auditContext: RunAuditContext = { event, environmentName, provider: provider.kind, checkRunId: null, records: [] };
      const trail = options.audit;
      const countedSink = writeGauge.countWrites({ sink: clients.sink, installationId });
      const auditedSink = trail ? auditSink({ sink: countedSink, trail, context: auditContext }) : countedSink;
      // A run that reached its steps has a live environment, so its check run offers Extend and Destroy.
      const sink: CheckRunSink = {
        ...auditedSink,
        complete: (id, completed) =>
          auditedSink.complete(id, completed.steps.length > 0 && !completed.actions ? { ...completed, actions: environmentActions(event.pullRequest.number) } : completed),
      };
      const runProvider = trail ? auditProvider({ provider, trail, context: auditContext }) : provider;

      // Work that starts at once on a free pipeline slot gets its check run now, outside the
      // queue, so the pull request shows it in milliseconds. Work that waits gets one only when it
      // starts or is superseded, so a commit superseded in a burst costs one GitHub write.
      let checkRunId: Promise<number> | undefined;
      const ensureCheckRun = (): Promise<number> => {
        checkRunId ??= track(sink.start(view));
        return checkRunId;
      };
      // A commit superseded before its run started gets a cancelled check run only when its
      // installation made no check-run write in the last seconds (see CheckRunWriteGauge).
      // Otherwise the run that replaces it names it, so GitHub's write budget goes to builds.
      const reportSuperseded = async (reason: string): Promise<void> => {
        if (!writeGauge.isIdle(installationId)) {
          unreported.add(keyText, [...unreportedBefore, event.pullRequest.headSha]);
          unreportedBefore = [];
          logger.info({ reason }, "queued run superseded; its check run is left out while the installation's writes are busy");
          return;
        }
        // Commits a run took over and then lost to an abort wait for the next run again.
        if (unreportedBefore.length > 0) unreported.add(keyText, unreportedBefore);
        unreportedBefore = [];
        const cancelled: CheckRunView = { ...view, status: "completed", conclusion: "cancelled", headline: reason };
        await sink.createCompleted(cancelled);
        logger.info({ reason }, "queued run superseded");
      };
      let unreportedBefore: string[] = [];
      const slotFree = scheduler.freeSlots > 0;

      const outcome = scheduler.submit(keyText, {
        kind: "run",
        sha: event.pullRequest.headSha,
        // A superseded commit's check run waits behind the other cancellations of its installation,
        // so the newest commit's in_progress check run is never queued behind all of them.
        supersede: (reason) =>
          track(
            deferredWrites.run(String(installationId), async () => {
              if (checkRunId) {
                await sink.complete(await checkRunId, { ...view, status: "completed", conclusion: "cancelled", headline: reason });
                logger.info({ reason }, "queued run superseded");
              } else await reportSuperseded(reason);
            }),
          ),
        execute: async (signal) => {
          unreportedBefore = unreported.take(keyText);
          // Aborted while it waited for a pipeline slot and without a check run yet: superseded.
          if (signal.aborted && !checkRunId) {
            await reportSuperseded(describeError(signal.reason));
            return;
          }
          if (unreportedBefore.length > 0) view.notes = [...view.notes, describeUnreportedCommits(unreportedBefore)];
          const id = await ensureCheckRun();
          // Aborted while it waited for a pipeline slot: report that, and read and record nothing.
          if (signal.aborted) {
            await sink.complete(id, { ...view, status: "completed", conclusion: "cancelled", headline: describeError(signal.reason) });
            return;
          }
          try {
            // An event can arrive after its pull request closed: then nothing is created.
            const live = await readPullRequestState({ octokit: clients.octokit, owner: event.repository.owner, repo: event.repository.name, number: event.pullRequest.number });
            if (live.state === "closed") {
              const headline = `Nothing ran: pull request #${event.pullRequest.number} is ${live.merged ? "merged" : "closed"}`;
              await sink.complete(id, { ...view, status: "completed", conclusion: "neutral", headline });
              logger.info({ merged: live.merged }, "run skipped: pull request closed");
              return;
            }
            const finished = await runPullRequest({ event, octokit: clients.octokit, mintToken: clients.mintRepositoryToken, provider: annotateRuns({ provider: runProvider, checkRunId: () => id, installationId: event.installationId ?? 0, now }), sink, checkRunId: id, view, signal, logger, now, governance: options.governance });
            logger.info({ conclusion: finished.conclusion }, "pipeline finished");
          } catch (error) {
            logger.error({ err: error }, "pipeline failed");
            const headline = `Paddock failed before the pipeline finished: ${describeError(error)}`;
            await sink.complete(id, { ...view, status: "completed", conclusion: "failure", headline });
          } finally {
            await markRunFinished({ provider, environmentName, logger });
            // The records are durable in the spool already. Flushing outside the run keeps a slow or
            // rate-limited ledger from holding a pipeline slot, and flushes called meanwhile batch up.
            if (trail) void track(trail.flush());
          }
        },
      });
      if (outcome === "started" && slotFree) ensureCheckRun().catch((error: unknown) => logger.error({ err: error }, "creating the check run failed"));
    },

    acceptTeardown({ key, environmentName, reason, logger, audit }) {
      scheduler.submit(formatEnvironmentKey(key), {
        kind: "teardown",
        sha: null,
        supersede: async () => undefined,
        execute: async () => {
          unreported.take(formatEnvironmentKey(key));
          await provider.teardown({ environmentName });
          logger.info({ environment: environmentName, reason }, "environment torn down");
          if (!options.audit || !audit) return;
          await options.audit.record({
            action: "environment.torn_down",
            actor: audit.actor,
            repository: audit.repository,
            pullRequest: audit.pullRequest,
            deliveryId: audit.deliveryId,
            environment: { name: environmentName, provider: provider.kind, cluster: null, namespace: provider.kind === "kubernetes" ? environmentName : null },
            teardownReason: audit.reason,
          });
          void track(options.audit.flush());
        },
      });
    },

    sweep({ githubFor }) {
      return sweepEnvironments({
        provider,
        now: now(),
        githubFor,
        logger: options.logger,
        remove: (verdict) => {
          const logger = options.logger.child({ environment: verdict.name, reason: verdict.reason });
          // An orphan has no key, so it gets a key of its own name: nothing else is queued for it.
          const key = verdict.key ?? { repositoryId: 0, branch: `orphan/${verdict.name}` };
          const repository = { id: key.repositoryId, fullName: verdict.repository ?? "unknown/unknown" };
          const pullRequest = "pullRequest" in key ? key.pullRequest : null;
          const audit = { actor: PADDOCK_ACTOR, repository, pullRequest, reason: verdict.reason, deliveryId: null };
          service.acceptTeardown({ key, environmentName: verdict.name, reason: `${verdict.reason}: ${verdict.detail}`, logger, audit });
        },
      });
    },

    recoverRuns({ sinkFor }) {
      return recoverInterruptedRuns({ provider, sinkFor, logger: options.logger });
    },

    async shutdown({ timeoutMs }) {
      scheduler.stopAll("Cancelled: Paddock is shutting down; push again or re-run this check");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([service.onIdle(), timeout]);
      clearTimeout(timer);
      await options.audit?.flush({ immediate: true });
    },

    async onIdle() {
      while (inFlight.size > 0 || scheduler.activeKeys > 0) {
        await Promise.allSettled([...inFlight]);
        await scheduler.onIdle();
      }
    },
  };
  return service;
}
