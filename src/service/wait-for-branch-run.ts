import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import { findKeyedEnvironment } from "../environments/find-environment.ts";
import type { Provider } from "../providers/provider.ts";
import { RUN_STARTED_ANNOTATION } from "./run-annotations.ts";

/** Time between two listings while a pull request waits for its branch's run to end, in milliseconds. */
export const BRANCH_RUN_POLL_MS = 1_000;
/**
 * Maximum wait for another replica to stop a branch's run, in milliseconds. The owner takes the
 * stop from its inbox within a Lease retry period (2 s by default). A failover takes about the
 * Lease duration plus two retry periods (19 s with the defaults), which this also covers.
 */
export const MAX_BRANCH_RUN_WAIT_MS = 60_000;

/**
 * Waits until the branch's environment no longer records a run in progress, or is gone, reading
 * the environment listing every BRANCH_RUN_POLL_MS. Gives up after `maxWaitMs` with a warning,
 * because a run left marked by a replica that died is cleared only when another resumes it.
 */
export async function waitForBranchRunToEnd(options: {
  provider: Pick<Provider, "listEnvironments">;
  key: EnvironmentKey;
  logger: Logger;
  maxWaitMs?: number;
  pollMs?: number;
}): Promise<void> {
  const { provider, key, logger } = options;
  const pollMs = options.pollMs ?? BRANCH_RUN_POLL_MS;
  const deadline = Date.now() + (options.maxWaitMs ?? MAX_BRANCH_RUN_WAIT_MS);
  for (;;) {
    const environment = findKeyedEnvironment(await provider.listEnvironments(), key);
    if (!environment?.annotations[RUN_STARTED_ANNOTATION]) return;
    if (Date.now() >= deadline) {
      logger.warn({ environment: environment.name, startedAt: environment.annotations[RUN_STARTED_ANNOTATION] }, "pull request takes over a branch environment still marked running");
      return;
    }
    await sleep(pollMs);
  }
}
