import type { CheckRunAction } from "../checks/check-run-view.ts";

/** Identifier prefix of the Extend button; the pull request number follows. */
export const EXTEND_ACTION_PREFIX = "extend:";
/** Identifier prefix of the Destroy button; the pull request number follows. */
export const DESTROY_ACTION_PREFIX = "destroy:";

/** The buttons on the check run of a pull request that has a live environment. */
export function environmentActions(pullRequest: number): CheckRunAction[] {
  return [
    { label: "Extend", description: "Keep the environment longer", identifier: `${EXTEND_ACTION_PREFIX}${pullRequest}` },
    { label: "Destroy", description: "Tear the environment down now", identifier: `${DESTROY_ACTION_PREFIX}${pullRequest}` },
  ];
}

/** Reads an Extend or Destroy button's identifier; undefined for any other identifier. */
export function parseEnvironmentAction(identifier: string): { kind: "extend" | "destroy"; pullRequest: number } | undefined {
  for (const [prefix, kind] of [
    [EXTEND_ACTION_PREFIX, "extend"],
    [DESTROY_ACTION_PREFIX, "destroy"],
  ] as const) {
    if (!identifier.startsWith(prefix)) continue;
    const pullRequest = Number(identifier.slice(prefix.length));
    return Number.isInteger(pullRequest) && pullRequest > 0 ? { kind, pullRequest } : undefined;
  }
  return undefined;
}

/**
 * Computes an extended expiry: the current expiry plus one step, never past `now` plus the
 * maximum. Returns undefined when the environment is already at the maximum.
 */
export function extendExpiry(options: { expiresAt: Date; now: Date; stepSeconds: number; maxSeconds: number }): Date | undefined {
  const { expiresAt, now, stepSeconds, maxSeconds } = options;
  const limit = now.getTime() + maxSeconds * 1000;
  const next = Math.min(Math.max(expiresAt.getTime(), now.getTime()) + stepSeconds * 1000, limit);
  return next > expiresAt.getTime() ? new Date(next) : undefined;
}
