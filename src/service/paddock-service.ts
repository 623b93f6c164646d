import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { formatEnvironmentKey, type EnvironmentKey } from "../environments/environment-key.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import { KeyedScheduler } from "../environments/keyed-scheduler.ts";
import { RecentEvents } from "../environments/recent-events.ts";
import { parseEnvironmentAction } from "../environments/environment-actions.ts";
import { DeferredWrites } from "../github/deferred-writes.ts";
import type { GitHubRequester, RepositoryTokenMinter } from "../github/repository-gateway.ts";
import { findRerequestedPullRequest } from "../github/find-pull-request.ts";
import { readPullRequestState } from "../github/read-pull-request-state.ts";
import type { ApprovalRequestEvent, PushEvent } from "../github/governance-events.ts";
import { describeEventIdentity, type CheckRunRerequestEvent, type PullRequestEvent } from "../github/webhook-event.ts";
import { DetachError, type ListedEnvironment, type Provider } from "../providers/provider.ts";
import type { HandedOverCommand, WorkRouter } from "../replicas/work-router.ts";
import { readBranchRunEvent, readRunEvent } from "./read-run-event.ts";
import { waitForBranchRunToEnd } from "./wait-for-branch-run.ts";
import type { CheckRunSink } from "./check-run-reporter.ts";
import { createGovernanceHandlers } from "./governance-handlers.ts";
import type { Governance } from "./judge-pull-request.ts";
import type { TEARDOWN_REASONS } from "../audit/audit-record-schema.ts";
import type { AuditTrail } from "./audit-trail.ts";
import { recoverInterruptedRuns, type InterruptedRun, type ResumableRun } from "./recover-runs.ts";
import { handleEnvironmentAction, reportEnvironmentAction } from "./handle-environment-action.ts";
import { UnreportedCommits } from "./unreported-commits.ts";
import { sweepEnvironments, type SweepReport, type SweepTarget } from "./sweep-environments.ts";
import { createBranchPushes } from "./branch-pushes.ts";
import { MAX_DEFERRED_WRITES, scheduleRun, type RunDependencies, type RunEnvironment } from "./schedule-run.ts";
import { scheduleTeardown as scheduleTeardownWork, type PreviewRepository, type TeardownRequest } from "./schedule-teardown.ts";
import { isOrgSettingsRepository } from "./review-policy-pull-request.ts";
import { findKeyedEnvironment, findPullRequestEnvironment, readIdentityKey } from "../environments/find-environment.ts";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import { readEnvironmentKey } from "../environments/decide-sweep.ts";

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

/** Builds the GitHub clients for an installation and repository, for work that arrives without a webhook's context. */
export type ClientsForEvent = (event: { installationId: number | null; repository: { owner: string; name: string } }) => Promise<InstallationClients>;

/** The long-lived core behind the app: accepts events at once and does the work in a queue. */
export interface PaddockService {
  /**
   * Schedules the work for a pull request event and returns without waiting for it. With
   * `checkRunId` the work reports to that existing check run instead of creating one.
   */
  acceptPullRequest(options: { event: PullRequestEvent; clients: InstallationClients; logger: Logger; rerun?: boolean; checkRunId?: number }): void;
  /** Runs a check again for its head commit when its pull request is still open. */
  acceptRerequest(options: { event: CheckRunRerequestEvent; clients: InstallationClients; logger: Logger }): void;
  /** Verifies an approval (check-run button or label) and runs the approved head commit. */
  acceptApproval(options: { event: ApprovalRequestEvent; clients: InstallationClients; logger: Logger }): void;
  /**
   * Runs a push to an agent branch, or judges live environments again when a push changes the org
   * policy. `clientsFor` reaches the preview deployments of environments of other installations.
   */
  acceptPush(options: { event: PushEvent; clients: InstallationClients; logger: Logger; clientsFor?: ClientsForEvent }): void;
  /** Tears an environment down through the queue, pre-empting the work queued for its key. */
  acceptTeardown(options: {
    key: EnvironmentKey;
    environmentName: string;
    reason: string;
    logger: Logger;
    audit?: TeardownAudit;
    /** GitHub access for the repository, to mark the environment's preview deployment inactive. */
    github?: (target: PreviewRepository) => Promise<GitHubRequester | undefined>;
    /** The environment as a listing just read it, so the teardown needs no listing of its own. */
    environment?: ListedEnvironment;
  }): void;
  /** Removes expired, orphaned and closed environments; see sweepEnvironments. */
  sweep(options: { githubFor: (target: SweepTarget) => Promise<GitHubRequester | undefined> }): Promise<SweepReport>;
  /** Reports runs a restart interrupted, found from their environments' annotations. */
  recoverRuns(options: { sinkFor: (run: InterruptedRun) => Promise<CheckRunSink | undefined> }): Promise<InterruptedRun[]>;
  /**
   * Accepts work another replica handed over; `clients` is needed for pull request and push work
   * only. A teardown builds its GitHub access with `clientsFor`, from the installation that the
   * environment's annotations record, to mark a preview deployment inactive.
   */
  acceptCommand(options: { command: HandedOverCommand; clients: InstallationClients | undefined; clientsFor?: ClientsForEvent; logger: Logger }): void;
  /** Lets go of keys that another replica takes over; see KeyedScheduler.detach. */
  detachKeys(matches: (key: string) => boolean): void;
  /** True when any key that `matches` selects has running or waiting work. */
  hasWork(matches: (key: string) => boolean): boolean;
  /**
   * Resumes the interrupted pull request and branch runs of the keys `matches` selects, on their
   * own check runs, and reports other interrupted runs of those keys as cancelled. Remembers the latest
   * event of every such environment, so a redelivery of it is a duplicate.
   */
  resumeRuns(options: { matches: (key: string) => boolean; clientsFor: ClientsForEvent }): Promise<InterruptedRun[]>;
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
  /** Decides which replica runs each key's work; without it this process runs all work. */
  router?: WorkRouter;
  /** Deferred writes an installation may have waiting before superseded commits are named on the newer run; see `MAX_DEFERRED_WRITES`. */
  maxDeferredWrites?: number;
}): PaddockService {
  const { provider } = options;
  const now = options.now ?? (() => new Date());
  const scheduler = new KeyedScheduler({
    logger: options.logger,
    concurrency: options.concurrency ?? DEFAULT_PIPELINE_CONCURRENCY,
    ...(options.quietMs !== undefined ? { quietMs: options.quietMs } : {}),
  });
  const recentEvents = new RecentEvents();
  const unreported = new UnreportedCommits();
  const deferredWrites = new DeferredWrites();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  const router = options.router;
  const handOver = (key: string, command: HandedOverCommand, logger: Logger): Promise<void> =>
    track(router!.handOver(key, command)).then(
      () => logger.info({ key, kind: command.kind }, "work handed over to the key's owner"),
      (error: unknown) => logger.error({ err: error, key, kind: command.kind }, "handing work over failed; the work is lost until the event is delivered again"),
    );
  // A closed pull request's approvals can no longer matter; a failure leaves them for an operator.
  const forgetApprovals = (key: { repositoryId: number; pullRequest: number }, logger: Logger): void => {
    const forget = options.governance.approvals.forget;
    if (!forget) return;
    track(forget.call(options.governance.approvals, key)).then(
      () => logger.info({ pullRequest: key.pullRequest }, "approvals of the closed pull request deleted"),
      (error: unknown) => logger.error({ err: error, pullRequest: key.pullRequest }, "deleting the approvals of the closed pull request failed"),
    );
  };
  const rememberEvent = (event: PullRequestEvent): boolean => recentEvents.checkAndRemember([`delivery/${event.deliveryId}`, describeEventIdentity(event)]);

  const runDependencies: RunDependencies = { provider, scheduler, deferredWrites, maxDeferredWrites: options.maxDeferredWrites ?? MAX_DEFERRED_WRITES, unreported, track, now, governance: options.governance, ...(options.audit ? { audit: options.audit } : {}) };
  // Pull request lanes whose environment is a branch environment the pull request took over, by name.
  // NOTE: this is kept in memory only. After a restart, a commit superseded before its run resolved
  // the environment gets a cancelled check run under the pull request's own environment name.
  const takenOver = new Map<string, string>();
  const scheduleTeardown = (request: TeardownRequest): void =>
    scheduleTeardownWork({ provider, scheduler, track, ...(options.audit ? { audit: options.audit } : {}), onTeardown: (lane) => forgetLane(lane) }, request);
  // A branch push is handed over by its lane, the branch's key, when another replica owns it.
  const pushLane = (event: PushEvent): string | undefined =>
    event.ref.startsWith("refs/heads/") ? formatEnvironmentKey({ repositoryId: event.repository.id, branch: event.ref.slice("refs/heads/".length) }) : undefined;
  const forgetLane = (lane: string): void => {
    takenOver.delete(lane);
    unreported.take(lane);
  };
  const branchPushes = createBranchPushes({
    provider,
    track,
    isDuplicate: (keys) => recentEvents.checkAndRemember(keys),
    scheduleRun: (request) => scheduleRun(runDependencies, request),
    scheduleTeardown,
    ...(router ? { handOver } : {}),
  });

  /**
   * Finds a pull request's environment: the one it already has, else its branch's live
   * environment when the branch is in the same repository, else a new one under its own key.
   * Before it takes over a branch's environment, the branch's own work is stopped.
   */
  const resolvePullRequestEnvironment = async (request: { event: PullRequestEvent; logger: Logger }): Promise<RunEnvironment> => {
    const { event, logger } = request;
    const key: EnvironmentKey = { repositoryId: event.repository.id, pullRequest: event.pullRequest.number };
    const lane = formatEnvironmentKey(key);
    const ownName = nameEnvironment({ repositoryName: event.repository.name, key });
    const environments = await provider.listEnvironments();

    const own = findPullRequestEnvironment(environments, key);
    if (own) {
      if (own.name !== ownName) takenOver.set(lane, own.name);
      return { key: readIdentityKey(own) ?? key, name: own.name };
    }
    const branchKey: EnvironmentKey = { repositoryId: event.repository.id, branch: event.pullRequest.headRef };
    const branchEnvironment = isSameRepository(event) ? findKeyedEnvironment(environments, branchKey) : undefined;
    if (!branchEnvironment || branchEnvironment.labels[`${LABEL_PREFIX}/pull-request`]) return { key, name: ownName };

    // The replica that owns the branch's lane stops its work, and the pull request waits until the
    // environment no longer records a running branch run.
    const branchLane = formatEnvironmentKey(branchKey);
    const reason = `Cancelled: pull request #${event.pullRequest.number} took over this branch's environment`;
    if (router && !router.owns(branchLane)) {
      await handOver(branchLane, { kind: "preempt", key: branchKey, reason }, logger);
      await waitForBranchRunToEnd({ provider, key: branchKey, logger });
    } else await scheduler.preempt(branchLane, reason);
    takenOver.set(lane, branchEnvironment.name);
    logger.info({ environment: branchEnvironment.name }, "pull request took over its branch's environment");
    return { key: branchKey, name: branchEnvironment.name };
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
          service.acceptTeardown({ key, environmentName, reason: `requested by ${event.sender.login}`, logger, audit, github: async () => clients.octokit });
        },
      }).then(async (outcome) => {
        logger.info({ action: action.kind, outcome: outcome.kind, detail: outcome.message }, "environment button handled");
        await reportEnvironmentAction({ octokit: clients.octokit, event, outcome });
      });
      track(work).catch((error: unknown) => logger.error({ err: error, action: action.kind }, "environment button failed"));
    },
    acceptPush(request) {
      const { event } = request;
      // Pushes to the org's settings repository's default branch may change the org policy.
      if (isOrgSettingsRepository(event.repository) && event.ref === `refs/heads/${event.repository.defaultBranch}`) {
        handlers.acceptPush(request);
        return;
      }
      const lane = pushLane(event);
      if (router && lane !== undefined && !router.owns(lane)) {
        void handOver(lane, { kind: "push", event }, request.logger);
        return;
      }
      branchPushes.accept(request);
    },

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

    acceptPullRequest({ event, clients, logger: baseLogger, rerun, checkRunId: existingCheckRunId }) {
      const key: EnvironmentKey = { repositoryId: event.repository.id, pullRequest: event.pullRequest.number };
      const lane = formatEnvironmentKey(key);
      const existing = existingCheckRunId !== undefined ? { checkRunId: existingCheckRunId } : {};
      // Another replica owns the key: it runs the work, and its memory finds duplicates.
      if (router && !router.owns(lane)) {
        void handOver(lane, { kind: "pull_request", event, rerun: rerun === true, ...existing }, baseLogger);
        return;
      }
      // A run handed over and also found interrupted on its environment reaches the owner twice.
      if (existingCheckRunId !== undefined && recentEvents.checkAndRemember([`check-run/${existingCheckRunId}`])) {
        baseLogger.info({ reason: "duplicate", checkRunId: existingCheckRunId }, "resumed run ignored");
        return;
      }
      // The same delivery twice, or the same event from two hooks, has no second effect; a re-run asks for one.
      if (!rerun && rememberEvent(event)) {
        baseLogger.info({ reason: "duplicate", identity: describeEventIdentity(event) }, "webhook ignored");
        return;
      }
      const environmentName = nameEnvironment({ repositoryName: event.repository.name, key });
      const logger = baseLogger.child({ key: lane, environment: takenOver.get(lane) ?? environmentName, sha: event.pullRequest.headSha });

      if (event.action === "closed") {
        const reason = event.pullRequest.merged ? "merged" : "closed";
        forgetApprovals(key, logger);
        scheduleTeardown({
          lane,
          reason,
          logger,
          // Passed on as a re-run, since the new owner may have seen this delivery already.
          handOver: () => handOver(lane, { kind: "pull_request", event, rerun: true, passedOn: randomUUID() }, logger),
          // A pull request that took over its branch's environment tears that one down.
          findEnvironment: async () => findPullRequestEnvironment(await provider.listEnvironments(), key) ?? { name: environmentName },
          github: async () => clients.octokit,
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

      scheduleRun(runDependencies, {
        event,
        lane,
        clients,
        logger,
        ...existing,
        // Hands the run over with its check run, so the new owner reports to the same one.
        ...(router ? { handOver: (checkRunId?: number) => handOver(lane, { kind: "pull_request", event, rerun: true, passedOn: randomUUID(), ...(checkRunId !== undefined ? { checkRunId } : {}) }, logger) } : {}),
        provisionalName: takenOver.get(lane) ?? environmentName,
        resolveEnvironment: () => resolvePullRequestEnvironment({ event, logger }),
        // An event can arrive after its pull request closed: then nothing is created.
        precheck: async () => {
          const live = await readPullRequestState({ octokit: clients.octokit, owner: event.repository.owner, repo: event.repository.name, number: event.pullRequest.number });
          if (live.state !== "closed") return undefined;
          logger.info({ merged: live.merged }, "run skipped: pull request closed");
          return `Nothing ran: pull request #${event.pullRequest.number} is ${live.merged ? "merged" : "closed"}`;
        },
      });
    },

    acceptTeardown({ key, environmentName, reason, logger, audit, github, environment }) {
      const lane = formatEnvironmentKey(key);
      // The command carries no GitHub access, so the owner builds its own from the environment's annotations.
      const command: HandedOverCommand = { kind: "teardown", key, environmentName, reason, ...(audit ? { audit } : {}) };
      if (router && !router.owns(lane)) {
        void handOver(lane, command, logger);
        return;
      }
      // With GitHub access, the listing gives the annotations that name a preview deployment.
      const findEnvironment = async () =>
        environment ?? (github ? (await provider.listEnvironments()).find((candidate) => candidate.name === environmentName) : undefined) ?? { name: environmentName };
      scheduleTeardown({ lane, findEnvironment, reason, logger, handOver: () => handOver(lane, command, logger), ...(audit ? { audit } : {}), ...(github ? { github } : {}) });
    },

    sweep({ githubFor }) {
      // The sweep's one listing is kept, so each removal reads its annotations without another.
      const listed = new Map<string, ListedEnvironment>();
      const listEnvironments = async (): Promise<ListedEnvironment[]> => {
        const environments = await provider.listEnvironments();
        for (const environment of environments) listed.set(environment.name, environment);
        return environments;
      };
      return sweepEnvironments({
        provider: { listEnvironments },
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
          const target = verdict.repository;
          const github = target ? () => githubFor({ repository: target, installationId: undefined }) : undefined;
          const environment = listed.get(verdict.name);
          // The close event may have been lost, so the sweeper deletes the pull request's approvals too.
          if (verdict.reason === "closed" && "pullRequest" in key) forgetApprovals(key, logger);
          service.acceptTeardown({ key, environmentName: verdict.name, reason: `${verdict.reason}: ${verdict.detail}`, logger, audit, ...(github ? { github } : {}), ...(environment ? { environment } : {}) });
        },
      });
    },

    recoverRuns({ sinkFor }) {
      return recoverInterruptedRuns({ provider, sinkFor, logger: options.logger });
    },

    acceptCommand({ command, clients, clientsFor, logger }) {
      if (command.kind === "teardown") {
        const github = clientsFor
          ? async ({ owner, repo, installationId }: PreviewRepository) =>
              installationId === undefined ? undefined : (await clientsFor({ installationId, repository: { owner, name: repo } })).octokit
          : undefined;
        service.acceptTeardown({ ...command, logger, ...(github ? { github } : {}) });
        return;
      }
      if (command.kind === "preempt") {
        const lane = formatEnvironmentKey(command.key);
        if (router && !router.owns(lane)) void handOver(lane, command, logger);
        else void track(scheduler.preempt(lane, command.reason)).then(() => logger.info({ key: lane, reason: command.reason }, "work of the key stopped"));
        return;
      }
      if (!clients) throw new Error(`handed-over ${command.kind} work for ${command.event.repository.fullName} needs GitHub clients for installation ${command.event.installationId}`);
      const childLogger = logger.child({ deliveryId: command.event.deliveryId });
      if (command.kind === "branch_run") {
        const lane = formatEnvironmentKey({ repositoryId: command.event.repository.id, branch: command.event.pullRequest.headRef });
        if (router && !router.owns(lane)) {
          void handOver(lane, { ...command, passedOn: randomUUID() }, childLogger);
          return;
        }
        // A run handed over twice, or also resumed from its environment, has its check run already.
        if (command.checkRunId !== undefined && recentEvents.checkAndRemember([`check-run/${command.checkRunId}`])) {
          childLogger.info({ reason: "duplicate", checkRunId: command.checkRunId }, "handed-over branch run ignored");
          return;
        }
        const checkRunId = command.checkRunId !== undefined ? { checkRunId: command.checkRunId } : {};
        branchPushes.resume({ event: command.event, environmentName: command.environmentName, clients, logger: childLogger, ...checkRunId });
        return;
      }
      // Work taken from an inbox after this replica lost the key is passed on under a new id,
      // because the inbox saw the delivery when it first arrived and would drop it as a duplicate.
      const lane = command.kind === "push" ? pushLane(command.event) : formatEnvironmentKey({ repositoryId: command.event.repository.id, pullRequest: command.event.pullRequest.number });
      if (router && lane !== undefined && !router.owns(lane)) {
        void handOver(lane, { ...command, passedOn: randomUUID() }, childLogger);
        return;
      }
      if (command.kind === "push") {
        service.acceptPush({ event: command.event, clients, logger: childLogger });
        return;
      }
      const checkRunId = command.checkRunId !== undefined ? { checkRunId: command.checkRunId } : {};
      service.acceptPullRequest({ event: command.event, clients, logger: childLogger, rerun: command.rerun, ...checkRunId });
    },

    detachKeys(matches) {
      scheduler.detach(matches, new DetachError("Detached: another replica took over this environment's key"));
    },

    hasWork: (matches) => scheduler.hasWork(matches),

    resumeRuns({ matches, clientsFor }) {
      const logger = options.logger;
      // A run's lane is its event's key when the environment records the event, else the environment's own key.
      const accept = (environment: ListedEnvironment): boolean => {
        const event = readRunEvent(environment.annotations);
        const branchEvent = event ? undefined : readBranchRunEvent(environment.annotations);
        const key = event
          ? { repositoryId: event.repository.id, pullRequest: event.pullRequest.number }
          : branchEvent
            ? { repositoryId: branchEvent.repository.id, branch: branchEvent.pullRequest.headRef }
            : readEnvironmentKey(environment);
        if (!key || !matches(formatEnvironmentKey(key))) return false;
        if (event) rememberEvent(event);
        // The same keys as a branch push's duplicate check, so a redelivery of the push is a duplicate.
        if (branchEvent) recentEvents.checkAndRemember([`delivery/${branchEvent.deliveryId}`, `push/${branchEvent.repository.id}/${branchEvent.pullRequest.headRef}/${branchEvent.pullRequest.headSha}`]);
        return true;
      };
      const resume = (run: ResumableRun): void => {
        const event = run.source === "pull_request" ? run.event : run.branchEvent;
        const work = clientsFor(event).then((clients) => {
          const runLogger = logger.child({ deliveryId: event.deliveryId });
          if (run.source === "pull_request") service.acceptPullRequest({ event: run.event, clients, logger: runLogger, rerun: true, checkRunId: run.checkRunId });
          else branchPushes.resume({ event: run.branchEvent, checkRunId: run.checkRunId, environmentName: run.environmentName, clients, logger: runLogger });
        });
        track(work).catch((error: unknown) => logger.error({ err: error, environment: run.environmentName }, "resuming an interrupted run failed"));
      };
      // A run whose environment records no event it can run again is reported as interrupted.
      const sinkFor = async (run: InterruptedRun): Promise<CheckRunSink> => {
        const [owner = "", name = ""] = run.repository.split("/");
        return (await clientsFor({ installationId: run.installationId, repository: { owner, name } })).sink;
      };
      return recoverInterruptedRuns({ provider, sinkFor, logger, accept, resume });
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

/** Returns whether a pull request's head branch is in the base repository, not a fork. */
function isSameRepository(event: PullRequestEvent): boolean {
  return event.pullRequest.headRepositoryFullName?.toLowerCase() === event.repository.fullName.toLowerCase();
}
