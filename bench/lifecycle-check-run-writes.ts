import type { FakeCheckRun } from "../test/support/fake-github-check-runs.ts";
import { GITHUB_LIMITS } from "../test/loopback-github/github-limits.ts";
import type { LoopbackCall } from "../test/loopback-github/loopback-github.ts";

/** GitHub's general limit on content-creating requests per minute, as the loopback GitHub records it. */
export const GITHUB_CONTENT_CREATING_PER_MINUTE = GITHUB_LIMITS.contentCreatingPerMinute;

const CREATE_TEMPLATE = "/repos/{owner}/{repo}/check-runs";
const UPDATE_TEMPLATE = "/repos/{owner}/{repo}/check-runs/{check_run_id}";

/** One check-run write as the loopback GitHub received it. */
export interface CheckRunWrite {
  method: "POST" | "PATCH";
  headSha: string;
  /** `performance.now()` at arrival. */
  receivedAt: number;
  status: number;
  /** The conclusion the request set, if any. */
  conclusion: string | undefined;
}

/**
 * Picks the check-run creates and updates out of the loopback GitHub's call log and gives each
 * its head SHA: a create names it in its body, an update through the check run it changes.
 */
export function collectCheckRunWrites(options: { calls: readonly LoopbackCall[]; checkRuns: readonly FakeCheckRun[] }): CheckRunWrite[] {
  const shaOfRun = new Map(options.checkRuns.map((run) => [run.id, run.head_sha]));
  const writes: CheckRunWrite[] = [];
  for (const call of options.calls) {
    const body = (call.body ?? {}) as { head_sha?: string; conclusion?: string };
    if (call.method === "POST" && call.pathTemplate === CREATE_TEMPLATE) {
      writes.push({ method: "POST", headSha: body.head_sha ?? "", receivedAt: call.receivedAt, status: call.status, conclusion: body.conclusion });
    } else if (call.method === "PATCH" && call.pathTemplate === UPDATE_TEMPLATE) {
      const id = Number(call.path.split("?")[0]!.split("/").at(-1));
      writes.push({ method: "PATCH", headSha: shaOfRun.get(id) ?? "", receivedAt: call.receivedAt, status: call.status, conclusion: body.conclusion });
    }
  }
  return writes;
}

/** Counts writes per head SHA. */
export function countWritesBySha(writes: readonly CheckRunWrite[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const write of writes) counts.set(write.headSha, (counts.get(write.headSha) ?? 0) + 1);
  return counts;
}

/** Returns the maximum number of requests that fell into one 60-second window. */
export function maxPerMinute(times: readonly number[]): number {
  const sorted = [...times].sort((left, right) => left - right);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while (sorted[last]! - sorted[first]! >= 60_000) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Returns how often each value occurs, as `value×count` pairs sorted by value, e.g. `1×960, 2×40`. */
export function describeHistogram(values: Iterable<number>): string {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()]
    .sort((left, right) => left[0] - right[0])
    .map(([value, count]) => `${value}×${count}`)
    .join(", ");
}
