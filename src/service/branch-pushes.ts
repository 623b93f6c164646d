import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { formatEnvironmentKey, type EnvironmentKey } from "../environments/environment-key.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import { findKeyedEnvironment } from "../environments/find-environment.ts";
import type { PushEvent } from "../github/governance-events.ts";
import { readRepositoryFile, type GitHubRequester } from "../github/repository-gateway.ts";
import { classifyActor } from "../policy/classify-actor.ts";
import { ORG_POLICY_PATH, ORG_SETTINGS_REPOSITORY, readOrgPolicy } from "../policy/load-org-policy.ts";
import type { Provider } from "../providers/provider.ts";
import type { HandedOverCommand } from "../replicas/work-router.ts";
import type { InstallationClients } from "./paddock-service.ts";
import type { BranchRunEvent } from "./read-run-event.ts";
import type { RunRequest } from "./schedule-run.ts";
import type { TeardownRequest } from "./schedule-teardown.ts";

const BRANCH_REF_PREFIX = "refs/heads/";

/** The service's entry point for pushes to branches other than the default branch. */
export interface BranchPushes {
  /**
   * Runs the pipeline for a push to an agent branch without a pull request, and tears the
   * branch's environment down when the push deleted the branch.
   */
  accept(options: { event: PushEvent; clients: InstallationClients; logger: Logger }): void;
  /**
   * Runs an interrupted or handed-over branch run again on its own check run, in the environment
   * it ran in. Its steps that outlived the interruption are adopted, as for a pull request's
   * resumed run. Without `checkRunId` the run creates its check run when it starts.
   */
  resume(options: { event: BranchRunEvent; checkRunId?: number; environmentName: string; clients: InstallationClients; logger: Logger }): void;
}

/**
 * Creates the handler of branch pushes. A push is built only when org policy classifies it as
 * agent work, by the sender's identity or the branch pattern, and no pull request from the branch
 * is open. Otherwise the pull request's own `synchronize` event builds the same commit. Whether a
 * pull request is open is read from the cluster (the branch's environment is labelled with the
 * pull request that took it over) and then from GitHub, never from memory, so every replica
 * decides the same.
 */
export function createBranchPushes(options: {
  provider: Provider;
  track: <T>(promise: Promise<T>) => Promise<T>;
  isDuplicate: (keys: string[]) => boolean;
  scheduleRun: (request: RunRequest) => void;
  scheduleTeardown: (request: TeardownRequest) => void;
  /** Passes work to the replica that took the branch's key over; absent without replicas. */
  handOver?: (lane: string, command: HandedOverCommand, logger: Logger) => Promise<void>;
}): BranchPushes {
  const { provider, track } = options;
  // A run let go of before it prepared its environment goes to the key's new owner, with its check run.
  // NOTE: the new owner does not check for an open pull request (`skip`) again, so a run handed over
  // from the queue is built even if a pull request opened meanwhile. The pull request's takeover stops it.
  const handOverRun = (run: { lane: string; event: BranchRunEvent; environmentName: string; logger: Logger }): Pick<RunRequest, "handOver"> => {
    const handOver = options.handOver;
    if (!handOver) return {};
    const { lane, event, environmentName, logger } = run;
    return { handOver: (checkRunId) => handOver(lane, { kind: "branch_run", event, environmentName, passedOn: randomUUID(), ...(checkRunId !== undefined ? { checkRunId } : {}) }, logger) };
  };
  // Classification reads the org policy, so each branch's pushes wait for the one before. They
  // then reach the scheduler in the order they arrived.
  const intake = new Map<string, Promise<void>>();

  const enqueue = (lane: string, step: () => Promise<void>, logger: Logger): void => {
    const previous = intake.get(lane) ?? Promise.resolve();
    const next = previous.then(step).catch((error: unknown) => logger.error({ err: error }, "handling the branch push failed"));
    intake.set(lane, next);
    void track(next).then(() => {
      if (intake.get(lane) === next) intake.delete(lane);
    });
  };

  return {
    resume({ event, checkRunId, environmentName, clients, logger: baseLogger }) {
      const key: EnvironmentKey = { repositoryId: event.repository.id, branch: event.pullRequest.headRef };
      const lane = formatEnvironmentKey(key);
      const logger = baseLogger.child({ key: lane, environment: environmentName, sha: event.pullRequest.headSha });
      options.scheduleRun({
        event,
        lane,
        clients,
        logger,
        ...(checkRunId !== undefined ? { checkRunId } : {}),
        provisionalName: environmentName,
        resolveEnvironment: async () => ({ key, name: environmentName }),
        ...handOverRun({ lane, event, environmentName, logger }),
      });
    },

    accept({ event, clients, logger: baseLogger }) {
      const branch = event.ref.startsWith(BRANCH_REF_PREFIX) ? event.ref.slice(BRANCH_REF_PREFIX.length) : undefined;
      if (branch === undefined || branch === event.repository.defaultBranch) {
        baseLogger.info({ reason: branch === undefined ? "not a branch" : "default branch", ref: event.ref }, "push ignored");
        return;
      }
      const key: EnvironmentKey = { repositoryId: event.repository.id, branch };
      const lane = formatEnvironmentKey(key);
      const name = nameEnvironment({ repositoryName: event.repository.name, key });
      const logger = baseLogger.child({ key: lane, environment: name, sha: event.after });

      // 1. A deleted branch takes its environment with it. GitHub sends both a push and a delete
      // event for it; the sweeper removes the environment when both were lost.
      if (event.deleted) {
        const repository = { id: event.repository.id, fullName: event.repository.fullName };
        options.scheduleTeardown({
          lane,
          reason: "branch_deleted",
          logger,
          findEnvironment: async () => findKeyedEnvironment(await provider.listEnvironments(), key),
          github: async () => clients.octokit,
          audit: { actor: event.sender, repository, pullRequest: null, reason: "branch_deleted", deliveryId: event.deliveryId },
        });
        return;
      }

      if (options.isDuplicate([`delivery/${event.deliveryId}`, `push/${event.repository.id}/${branch}/${event.after}`])) {
        logger.info({ reason: "duplicate" }, "push ignored");
        return;
      }

      enqueue(
        lane,
        async () => {
          // 2. Pushes to a branch whose environment a pull request took over are built through the pull request.
          const takenOverBy = await findTakeover({ provider, key });
          if (takenOverBy !== undefined) {
            logger.info({ reason: "pull request open", pullRequest: takenOverBy }, "push ignored");
            return;
          }

          // 3. Only agent work gets an environment of its own.
          const agents = await readAgentPolicy({ octokit: clients.octokit, owner: event.repository.owner });
          if (agents.kind === "unusable") {
            logger.warn({ detail: agents.message }, "push ignored: the org policy that names agent branches is unusable");
            return;
          }
          const actor = classifyActor({ evidence: { sender: event.sender, repositoryFullName: event.repository.fullName, branch }, agents: agents.agents });
          if (actor.actorClass !== "agent") {
            logger.info({ reason: "not an agent branch", sender: event.sender.login }, "push ignored");
            return;
          }
          const installationId = event.installationId;
          const runEvent = { deliveryId: event.deliveryId, installationId, repository: event.repository, sender: event.sender, pullRequest: { number: null, headSha: event.after, headRef: branch } };
          options.scheduleRun({
            event: runEvent,
            // Work handed over needs an installation to build its clients from.
            ...(installationId !== null ? handOverRun({ lane, event: { ...runEvent, installationId }, environmentName: name, logger }) : {}),
            lane,
            clients,
            logger: logger.child({ agent: actor.agent }),
            provisionalName: name,
            resolveEnvironment: async () => ({ key, name }),
            lateCheckRun: true,
            // A pull request opened while the push waited, with or without an environment yet, takes the commit.
            skip: async () => {
              const pullRequest =
                (await findTakeover({ provider, key })) ?? (await findOpenPullRequest({ octokit: clients.octokit, owner: event.repository.owner, repo: event.repository.name, branch }));
              if (pullRequest === undefined) return false;
              logger.info({ reason: "pull request open", pullRequest }, "push ignored");
              return true;
            },
          });
        },
        logger,
      );
    },
  };
}

/**
 * Reads the `agents` section of the org policy on the default branch of the org's `.github`
 * repository, in one request. A missing file or repository means the built-in agents.
 */
async function readAgentPolicy(options: { octokit: GitHubRequester; owner: string }) {
  try {
    const file = await readRepositoryFile({ octokit: options.octokit, owner: options.owner, repo: ORG_SETTINGS_REPOSITORY, path: ORG_POLICY_PATH });
    const lookup = readOrgPolicy({ text: file?.text, source: {} });
    if (lookup.kind === "policy") return { kind: "agents", agents: lookup.policy.agents } as const;
    const first = lookup.kind === "invalid" ? lookup.problems[0] : undefined;
    return { kind: "unusable", message: `${ORG_POLICY_PATH} is invalid${first ? ` at line ${first.line}: ${first.field} ${first.message}` : ""}` } as const;
  } catch (error) {
    return { kind: "unusable", message: `${ORG_POLICY_PATH} could not be read: ${(error as Error).message}` } as const;
  }
}

/** Returns the pull request whose number labels the branch's environment, after it took the environment over. */
async function findTakeover(options: { provider: Pick<Provider, "listEnvironments">; key: EnvironmentKey }): Promise<number | undefined> {
  const environment = findKeyedEnvironment(await options.provider.listEnvironments(), options.key);
  const pullRequest = Number(environment?.labels[`${LABEL_PREFIX}/pull-request`]);
  return Number.isInteger(pullRequest) && pullRequest > 0 ? pullRequest : undefined;
}

/** Returns the number of an open pull request from `branch` of the same repository, if there is one. */
async function findOpenPullRequest(options: { octokit: GitHubRequester; owner: string; repo: string; branch: string }): Promise<number | undefined> {
  const { octokit, owner, repo, branch } = options;
  const response = await octokit.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open", head: `${owner}:${branch}`, per_page: 1 });
  return (response.data as Array<{ number: number }>)[0]?.number;
}
