import type { LoopbackGitHub } from "../../test/loopback-github/loopback-github.ts";
import type { ScheduledPush } from "./push-schedule.ts";

const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);
const TOKEN_ROUTE = "/app/installations/{installation_id}/access_tokens";

/** Figures of one load run, as label and value rows for a Markdown table. */
export interface LoadSummary {
  rows: Array<[string, string]>;
  /** Commits that ended without a completed check run. */
  lost: number;
}

/**
 * Summarizes a load run from what the loopback GitHub recorded: what became of each pushed
 * commit's check run, the writes per completed and per built commit (check runs and audit ledger), the token
 * mints per installation, and the requests a limit rejected.
 */
export function summarizeLoad(options: { github: LoopbackGitHub; schedule: ScheduledPush[]; installations: number[]; auditRepository: string }): LoadSummary {
  const { github, schedule } = options;

  // 1. The latest check run of every pushed commit.
  const latest = new Map<string, { status: string; conclusion: string | null }>();
  // Commits superseded before their run started may have no check run: the newer run's summary names them.
  const named = new Set<string>();
  for (const run of github.checkRuns()) {
    latest.set(run.head_sha, { status: run.status, conclusion: run.conclusion });
    const note = /Not built, superseded by this commit before their runs started: ([0-9a-f, ]+)/.exec(run.output.summary ?? "");
    for (const short of note?.[1]?.split(", ") ?? []) named.add(short);
  }
  const outcomes = new Map<string, number>();
  let lost = 0;
  for (const push of schedule) {
    const run = latest.get(push.headSha);
    const isNamed = !run && named.has(push.headSha.slice(0, 7));
    if (!isNamed && (!run || run.status !== "completed")) lost += 1;
    let outcome = isNamed ? "named on a newer commit's check run" : "no check run";
    if (run) outcome = run.conclusion ?? run.status;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const built = (outcomes.get("success") ?? 0) + (outcomes.get("failure") ?? 0);
  const completed = [...latest.values()].filter((run) => run.status === "completed").length;

  // The newest push to each pull request must be built: a superseded one may be cancelled, that one not.
  const finalPushes = new Map<string, ScheduledPush>();
  for (const push of schedule) finalPushes.set(`${push.installation}#${push.pullRequest}`, push);
  const finalBuilt = [...finalPushes.values()].filter((push) => ["success", "failure"].includes(latest.get(push.headSha)?.conclusion ?? "")).length;
  const finalUnbuilt = [...finalPushes.values()]
    .filter((push) => !["success", "failure"].includes(latest.get(push.headSha)?.conclusion ?? ""))
    .map((push) => `${push.headSha.slice(0, 8)} ${latest.get(push.headSha)?.conclusion ?? "no check run"}`);

  // 2. Writes, by what they wrote.
  const writes = github.calls.filter((call) => WRITE_METHODS.has(call.method) && call.pathTemplate !== TOKEN_ROUTE && call.status < 400);
  const auditWrites = writes.filter((call) => call.path.includes(`/${options.auditRepository}/`)).length;
  const checkRunWrites = writes.filter((call) => call.pathTemplate?.includes("/check-runs")).length;
  const writesByRoute = new Map<string, number>();
  for (const call of writes) {
    const route = `${call.method} ${call.pathTemplate ?? call.path}${describeCheckRunWrite(call.body)}`;
    writesByRoute.set(route, (writesByRoute.get(route) ?? 0) + 1);
  }

  // 3. Tokens and limits.
  const mints = options.installations.map((installation) => github.tokens.mintTimes(installation).length);
  const limited = github.calls.filter((call) => call.status === 403 || call.status === 429);
  const byLimit = new Map<string, number>();
  for (const call of limited) {
    const key = `${call.path.includes(`/${options.auditRepository}/`) ? "audit ledger" : "check runs and reads"}, ${call.limit ?? "injected"}`;
    byLimit.set(key, (byLimit.get(key) ?? 0) + 1);
  }
  const watched = new Set(options.installations);
  const perInstallation = new Map<number, number>();
  for (const call of github.calls) {
    if (call.installationId !== undefined && watched.has(call.installationId)) perInstallation.set(call.installationId, (perInstallation.get(call.installationId) ?? 0) + 1);
  }

  const ratio = (count: number) => (built === 0 ? "n/a" : (count / built).toFixed(2));
  return {
    lost,
    rows: [
      ["commits pushed", String(schedule.length)],
      ["latest check run per commit", [...outcomes].map(([outcome, count]) => `${outcome} ${count}`).join(", ")],
      ["commits without a completed check run or a mention on a newer one", String(lost)],
      ["newest commit of each pull request built", `${finalBuilt} of ${finalPushes.size}${finalUnbuilt.length > 0 ? ` (not built: ${finalUnbuilt.join(", ")})` : ""}`],
      ["writes per commit with a completed check run, all", completed === 0 ? "n/a" : `${(writes.length / completed).toFixed(2)} (${completed} completed)`],
      ["writes per built commit, all", `${ratio(writes.length)} (${writes.length} writes, ${built} built)`],
      ["check-run writes per built commit", ratio(checkRunWrites)],
      ["audit ledger writes per built commit", ratio(auditWrites)],
      ["check-run writes per pushed commit", (checkRunWrites / schedule.length).toFixed(2)],
      ["writes per pushed commit, all", (writes.length / schedule.length).toFixed(2)],
      ["writes by route", [...writesByRoute].map(([route, count]) => `${route} ${count}`).join(", ")],
      ["token mints per installation", `min ${Math.min(...mints)}, max ${Math.max(...mints)}`],
      ["most requests from one installation (audit ledger apart)", String(Math.max(0, ...perInstallation.values()))],
      ["403 and 429 replies", limited.length === 0 ? "0" : `${limited.length} (${[...byLimit].map(([limit, count]) => `${limit} ${count}`).join(", ")})`],
      ["requests to GitHub", String(github.calls.length)],
    ],
  };
}

// Tells check-run writes apart by what they carry: a status, or only output (progress or annotations).
function describeCheckRunWrite(body: unknown): string {
  if (typeof body !== "object" || body === null || !("head_sha" in body || "check_run_id" in body || "output" in body)) return "";
  const { status, output } = body as { status?: string; output?: { annotations?: unknown[] } };
  const annotations = output?.annotations?.length ?? 0;
  return ` (${status ?? "output only"}${annotations > 0 ? ", annotations" : ""})`;
}
