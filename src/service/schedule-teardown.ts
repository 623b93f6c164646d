import type { Logger } from "pino";
import type { KeyedScheduler } from "../environments/keyed-scheduler.ts";
import type { Provider } from "../providers/provider.ts";
import type { AuditTrail } from "./audit-trail.ts";
import type { TeardownAudit } from "./paddock-service.ts";

/** One teardown to queue. */
export interface TeardownRequest {
  /** The scheduler key of the environment's work, which the teardown pre-empts. */
  lane: string;
  /** Names the environment when the teardown starts; undefined when there is none, and then nothing is done or recorded. */
  findEnvironment: () => Promise<string | undefined>;
  /** Why, for the log. */
  reason: string;
  logger: Logger;
  audit?: TeardownAudit;
}

/**
 * Queues a teardown under its lane, where it pre-empts the queued runs and waits for the running
 * one. Tearing down an environment that is already gone succeeds. With an audit trail and
 * `audit`, the teardown leaves an `environment.torn_down` record.
 */
export function scheduleTeardown(
  dependencies: { provider: Provider; scheduler: KeyedScheduler; track: <T>(promise: Promise<T>) => Promise<T>; audit?: AuditTrail; onTeardown?: (lane: string) => void },
  request: TeardownRequest,
): void {
  const { provider, scheduler, track } = dependencies;
  const { lane, reason, logger, audit } = request;

  scheduler.submit(lane, {
    kind: "teardown",
    sha: null,
    supersede: async () => undefined,
    execute: async () => {
      dependencies.onTeardown?.(lane);
      const environmentName = await request.findEnvironment();
      if (environmentName === undefined) {
        logger.info({ reason }, "teardown skipped: no environment exists");
        return;
      }
      await provider.teardown({ environmentName });
      logger.info({ environment: environmentName, reason }, "environment torn down");
      if (!dependencies.audit || !audit) return;
      await dependencies.audit.record({
        action: "environment.torn_down",
        actor: audit.actor,
        repository: audit.repository,
        pullRequest: audit.pullRequest,
        deliveryId: audit.deliveryId,
        environment: { name: environmentName, provider: provider.kind, cluster: null, namespace: provider.kind === "kubernetes" ? environmentName : null },
        teardownReason: audit.reason,
      });
      void track(dependencies.audit.flush());
    },
  });
}
