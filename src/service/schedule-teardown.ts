import type { Logger } from "pino";
import type { KeyedScheduler } from "../environments/keyed-scheduler.ts";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import { readPreviewDeploymentId, setPreviewStatus } from "../github/preview-deployment.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import type { Provider } from "../providers/provider.ts";
import { INSTALLATION_ANNOTATION } from "./run-annotations.ts";
import type { AuditTrail } from "./audit-trail.ts";
import type { TeardownAudit } from "./paddock-service.ts";

/** The repository of an environment's preview deployment, and the installation its annotations record. */
export interface PreviewRepository {
  owner: string;
  repo: string;
  /** Undefined when the environment records no installation. */
  installationId: number | undefined;
}

/** One teardown to queue. */
export interface TeardownRequest {
  /** The scheduler key of the environment's work, which the teardown pre-empts. */
  lane: string;
  /**
   * Finds the environment when the teardown starts; undefined when there is none, and then
   * nothing is done or recorded. Its annotations name the preview deployment to mark inactive.
   */
  findEnvironment: () => Promise<{ name: string; annotations?: Record<string, string> } | undefined>;
  /**
   * GitHub access for the environment's repository, to mark its preview deployment inactive. It
   * receives the repository and installation that the environment's annotations name.
   */
  github?: (target: PreviewRepository) => Promise<GitHubRequester | undefined>;
  /** Why, for the log. */
  reason: string;
  logger: Logger;
  audit?: TeardownAudit;
  /** Passes the teardown to the replica that took the lane over, when this one lets go of it before the teardown started. */
  handOver?: () => Promise<void>;
}

/**
 * Queues a teardown under its lane, where it pre-empts the queued runs and waits for the running
 * one. Tearing down an environment that is already gone succeeds. With an audit trail and
 * `audit`, the teardown leaves an `environment.torn_down` record.
 */
export function scheduleTeardown(
  dependencies: {
    provider: Provider;
    scheduler: KeyedScheduler;
    track: <T>(promise: Promise<T>) => Promise<T>;
    audit?: AuditTrail;
    onTeardown?: (lane: string) => void;
    /** Counts a GitHub write against its installation's write budget. */
    countWrite?: <T>(installationId: number, write: () => Promise<T>) => Promise<T>;
  },
  request: TeardownRequest,
): void {
  const { provider, scheduler, track } = dependencies;
  const { lane, reason, logger, audit } = request;

  scheduler.submit(lane, {
    kind: "teardown",
    sha: null,
    supersede: async () => undefined,
    ...(request.handOver ? { handOver: request.handOver } : {}),
    execute: async () => {
      dependencies.onTeardown?.(lane);
      const environment = await request.findEnvironment();
      if (environment === undefined) {
        logger.info({ reason }, "teardown skipped: no environment exists");
        return;
      }
      const environmentName = environment.name;
      await provider.teardown({ environmentName });
      logger.info({ environment: environmentName, reason }, "environment torn down");
      await deactivatePreview({ annotations: environment.annotations ?? {}, github: request.github, countWrite: dependencies.countWrite, reason, logger });
      if (!dependencies.audit || !audit) return;
      await dependencies.audit.record({
        action: "environment.torn_down",
        actor: audit.actor,
        repository: audit.repository,
        pullRequest: audit.pullRequest,
        deliveryId: audit.deliveryId,
        environment: { name: environmentName, provider: provider.kind, cluster: provider.cluster ?? null, namespace: provider.kind === "kubernetes" ? environmentName : null },
        teardownReason: audit.reason,
      });
      void track(dependencies.audit.flush());
    },
  });
}

/** Marks the environment's preview deployment inactive; a failure is logged, since the environment is gone either way. */
async function deactivatePreview(options: {
  annotations: Record<string, string>;
  github: ((target: PreviewRepository) => Promise<GitHubRequester | undefined>) | undefined;
  countWrite: (<T>(installationId: number, write: () => Promise<T>) => Promise<T>) | undefined;
  reason: string;
  logger: Logger;
}): Promise<void> {
  const { annotations, logger } = options;
  const deploymentId = readPreviewDeploymentId(annotations);
  const [owner, repo] = (annotations[`${LABEL_PREFIX}/repository`] ?? "").split("/");
  if (deploymentId === undefined || !options.github || !owner || !repo) return;
  const recorded = Number(annotations[INSTALLATION_ANNOTATION]);
  const installationId = Number.isInteger(recorded) && recorded > 0 ? recorded : undefined;
  try {
    const octokit = await options.github({ owner, repo, installationId });
    if (!octokit) {
      logger.warn({ deploymentId, installationId }, "preview deployment not marked inactive: no GitHub access for the environment's installation");
      return;
    }
    const countWrite = options.countWrite ? <T>(write: () => Promise<T>) => options.countWrite!(installationId ?? 0, write) : undefined;
    await setPreviewStatus({ octokit, owner, repo, deploymentId, state: "inactive", description: `Environment torn down: ${options.reason}`, ...(countWrite ? { countWrite } : {}) });
    logger.info({ deploymentId }, "preview deployment marked inactive");
  } catch (error) {
    logger.warn({ err: error, deploymentId }, "preview deployment not marked inactive");
  }
}
