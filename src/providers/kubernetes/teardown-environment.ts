import type { Logger } from "pino";

import type { KubeClient } from "./kube-client.ts";
import { isNotFoundError } from "./kubernetes-api-error.ts";
import { describeTerminatingNamespace, readNamespace, waitForNamespaceGone } from "./namespace-state.ts";

/** Default maximum wait for a deleted namespace to disappear. */
export const DEFAULT_TEARDOWN_TIMEOUT_MS = 120_000;

/** End state of a teardown. `stuck` carries the status conditions that keep the namespace from going. */
export type TeardownOutcome =
  | { status: "deleted"; durationMs: number }
  | { status: "already_gone"; durationMs: number }
  | { status: "stuck"; durationMs: number; holdingConditions: string };

/**
 * Deletes an environment's namespace, which deletes everything in it, and waits up to
 * `timeoutMs` for it to disappear. A namespace that is already gone is a success.
 */
export async function teardownEnvironment(options: {
  client: KubeClient;
  name: string;
  timeoutMs: number;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<TeardownOutcome> {
  const { client, name, timeoutMs, logger } = options;
  const startedAt = Date.now();

  // 1. Delete; a 404 means an earlier teardown finished.
  try {
    await client.call({ environment: name, target: { verb: "delete", resource: "namespaces", group: "", name } }, (apis) =>
      apis.core.deleteNamespace({ name, propagationPolicy: "Background" }),
    );
  } catch (error) {
    if (!isNotFoundError(error)) throw error;
    return { status: "already_gone", durationMs: Date.now() - startedAt };
  }

  // 2. Wait for the namespace controller to empty and remove it.
  const outcome = await waitForNamespaceGone({ client, environment: name, name, timeoutMs, logger });
  if (outcome.gone) return { status: "deleted", durationMs: Date.now() - startedAt };

  // 3. Read it once more, because the namespace controller may have set its conditions since the last event.
  const current = await readNamespace({ client, environment: name, name });
  if (current === undefined) return { status: "deleted", durationMs: Date.now() - startedAt };
  return { status: "stuck", durationMs: Date.now() - startedAt, holdingConditions: describeTerminatingNamespace(current) };
}
