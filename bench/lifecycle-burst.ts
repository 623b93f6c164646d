/**
 * Measures how Paddock schedules bursts of pushes: N pull requests each get M synchronize
 * deliveries, `--interval-ms` apart per pull request, all pull requests interleaved. Deliveries
 * go signed over HTTP to Probot's real server and Paddock's app on 127.0.0.1, which talks to the
 * loopback GitHub of test/loopback-github. The provider is SimulatedProvider: a pipeline is a
 * wait of `--pipeline-ms`, so the figures are Paddock's scheduling, not a build. A naive runner
 * without cancellation, loaded into the same Probot server, counts what it would start.
 *
 *   node --import tsx bench/lifecycle-burst.ts [--pulls 20] [--pushes 50] [--interval-ms 2000]
 *     [--pipeline-ms 5000] [--throttle] [--limits] [--drain-timeout-s 120]
 *
 * --throttle keeps Octokit's throttling on, as the app runs in production, where one
 * installation's writes go at least one second apart. By default it is off, so the figures
 * show Paddock's own requests.
 * --limits makes the loopback GitHub enforce GitHub's published rate limits.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";


import { createPaddockApp } from "../app/paddock-app.ts";
import { createAuditTrailFromEnv } from "../src/service/create-audit-trail-from-env.ts";
import { createFileGovernance } from "../src/service/create-governance.ts";
import { createPaddockService, DEFAULT_PIPELINE_CONCURRENCY } from "../src/service/paddock-service.ts";
import { DEFAULT_QUIET_MS } from "../src/environments/keyed-scheduler.ts";
import { nameEnvironment } from "../src/environments/environment-name.ts";
import { PASSING_CONFIG, WIDGETS } from "../test/loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../test/loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET } from "../test/loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../test/loopback-github/webhook-payloads.ts";
import { sendWebhook } from "../test/loopback-github/webhook-sender.ts";
import { collectCheckRunWrites, countWritesBySha, describeHistogram, GITHUB_CONTENT_CREATING_PER_MINUTE, maxPerMinute } from "./lifecycle-check-run-writes.ts";
import { createCountingLogger, describeProblems, type ProblemCounts } from "./lifecycle-counting-logger.ts";
import { createNaiveRunner } from "./lifecycle-naive-runner.ts";
import { startProbotServer } from "./lifecycle-probot-server.ts";
import { SimulatedProvider } from "./lifecycle-simulated-provider.ts";
import { formatMs, percentile } from "./percentiles.ts";

/** Time the simulated `prepare` takes out of each pipeline, in milliseconds; the step takes the rest. */
const SIMULATED_PREPARE_MS = 500;
/** First pull request number; pull request `i` of the run is FIRST_PULL_NUMBER + i. */
const FIRST_PULL_NUMBER = 100;

interface BurstOptions {
  pulls: number;
  pushes: number;
  intervalMs: number;
  pipelineMs: number;
  throttle: boolean;
  limits: boolean;
  drainTimeoutMs: number;
}

/** One push as the sender delivered it. */
interface SentPush {
  pull: number;
  index: number;
  sha: string;
  sentAt: number;
  status: number;
}

function readOptions(): BurstOptions {
  const { values } = parseArgs({
    options: {
      pulls: { type: "string", default: "20" },
      pushes: { type: "string", default: "50" },
      "interval-ms": { type: "string", default: "2000" },
      "pipeline-ms": { type: "string", default: "5000" },
      throttle: { type: "boolean", default: false },
      limits: { type: "boolean", default: false },
      "drain-timeout-s": { type: "string", default: "120" },
    },
  });
  const whole = (name: string, value: string, least: number): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < least) throw new Error(`--${name} ${value} is invalid: pass a whole number of ${least} or more`);
    return number;
  };
  return {
    pulls: whole("pulls", values.pulls, 1),
    pushes: whole("pushes", values.pushes, 1),
    intervalMs: whole("interval-ms", values["interval-ms"], 1),
    pipelineMs: whole("pipeline-ms", values["pipeline-ms"], SIMULATED_PREPARE_MS + 1),
    throttle: values.throttle,
    limits: values.limits,
    drainTimeoutMs: whole("drain-timeout-s", values["drain-timeout-s"], 1) * 1000,
  };
}

/** Returns the head SHA of push `index` of a pull request: 40 hex digits, unique in the run. */
function headShaOf(pull: number, index: number): string {
  return `${pull.toString(16).padStart(8, "0")}${index.toString(16).padStart(32, "0")}`;
}

async function main(): Promise<void> {
  const options = readOptions();
  const stateDir = mkdtempSync(join(tmpdir(), "paddock-bench-burst-"));
  const { logger, problems } = createCountingLogger();

  // 1. The loopback GitHub: one repository with a one-step config, every pull request open.
  const github = await startLoopbackGitHub({ limits: options.limits });
  github.serveRepository({ owner: WIDGETS.owner, repo: WIDGETS.repo, id: WIDGETS.repositoryId, installationId: WIDGETS.installationId, files: { ".github/paddock.yml": PASSING_CONFIG } });

  // 2. Paddock with its defaults (pipeline concurrency, quiet time, file governance, spool-only audit) on Probot's server.
  const provider = new SimulatedProvider({ prepareMs: SIMULATED_PREPARE_MS, stepMs: options.pipelineMs - SIMULATED_PREPARE_MS });
  const audit = await createAuditTrailFromEnv({ env: {}, stateDir, logger });
  const service = createPaddockService({ provider, logger, governance: createFileGovernance({ stateDir }), audit });
  const naive = createNaiveRunner({ pipelineMs: options.pipelineMs });
  const server = await startProbotServer({ baseUrl: github.baseUrl, logger, throttle: options.throttle, apps: [createPaddockApp({ service }), naive.app] });

  // 3. The bursts, then wait for the queue to drain, bounded.
  console.log(describeSetup(options));
  const startedAt = performance.now();
  const sent = await sendBursts({ github, webhookUrl: server.webhookUrl, options });
  const lastSentAt = performance.now();
  let drainTimer: NodeJS.Timeout | undefined;
  const drainTimeout = new Promise<boolean>((resolve) => (drainTimer = setTimeout(() => resolve(false), options.drainTimeoutMs)));
  const drained = await Promise.race([service.onIdle().then(() => true), drainTimeout]);
  clearTimeout(drainTimer);
  const drainMs = performance.now() - lastSentAt;
  const stats = provider.stats();
  if (!drained) await service.shutdown({ timeoutMs: 10_000 });

  // 4. Report.
  report({ options, github, provider, sent, naive: naive.stats(), drained, drainMs, totalMs: performance.now() - startedAt, problems, stats, stateDir });
  await server.stop();
  await github.close();
  github.assertNoViolations();
  rmSync(stateDir, { recursive: true, force: true });
}

/**
 * Sends push `index` of every pull request in turn, each pull request offset by
 * `intervalMs / pulls`, so pull request `p` gets its pushes exactly `intervalMs` apart.
 */
async function sendBursts(options: { github: LoopbackGitHub; webhookUrl: string; options: BurstOptions }): Promise<SentPush[]> {
  const { github, webhookUrl } = options;
  const { pulls, pushes, intervalMs } = options.options;
  const sent: SentPush[] = [];
  const origin = performance.now();
  for (let index = 0; index < pushes; index += 1) {
    for (let pull = 0; pull < pulls; pull += 1) {
      await sleep(origin + index * intervalMs + (pull * intervalMs) / pulls - performance.now());
      const number = FIRST_PULL_NUMBER + pull;
      const sha = headShaOf(number, index);
      // Each pull request has its own author, so the default per-actor cap of 5 live environments does not deny any.
      const payload = buildPullRequestPayload({ action: "synchronize", ...WIDGETS, number, headSha: sha, sender: { login: `developer-${number}`, id: 50_000 + number, type: "User" } });
      github.setPullRequest({ owner: WIDGETS.owner, repo: WIDGETS.repo, pullRequest: toServedPullRequest(payload) });
      const sentAt = performance.now();
      const reply = await sendWebhook({ url: webhookUrl, delivery: { name: "pull_request", id: `burst-${number}-${index}`, payload, secret: LOOPBACK_WEBHOOK_SECRET } });
      sent.push({ pull: number, index, sha, sentAt, status: reply.status });
    }
  }
  return sent;
}

interface ReportInput {
  options: BurstOptions;
  github: LoopbackGitHub;
  provider: SimulatedProvider;
  sent: SentPush[];
  naive: ReturnType<ReturnType<typeof createNaiveRunner>["stats"]>;
  stats: ReturnType<SimulatedProvider["stats"]>;
  drained: boolean;
  drainMs: number;
  totalMs: number;
  problems: ProblemCounts;
  stateDir: string;
}

function report(input: ReportInput): void {
  const { options, github, provider, sent, naive, stats } = input;
  const checkRuns = github.checkRuns();
  const writes = collectCheckRunWrites({ calls: github.calls, checkRuns });
  const writesBySha = countWritesBySha(writes);
  const finalSha = new Map(sent.filter((push) => push.index === options.pushes - 1).map((push) => [push.pull, push]));
  const isFinal = (sha: string): boolean => [...finalSha.values()].some((push) => push.sha === sha);
  const superseded = sent.filter((push) => !isFinal(push.sha));

  // Pipelines per pull request, and the final commit's wait from its push to its completed check run.
  const startedByEnvironment = provider.startedByEnvironment();
  const startedPerPull = [...finalSha.keys()].map((number) => startedByEnvironment.get(nameEnvironment({ repositoryName: WIDGETS.repo, key: { repositoryId: WIDGETS.repositoryId, pullRequest: number } })) ?? 0);
  const finalWaits = [...finalSha.values()].map((push) => {
    const completed = writes.find((write) => write.headSha === push.sha && write.conclusion !== undefined && write.status < 300);
    return completed ? completed.receivedAt - push.sentAt : Number.NaN;
  });
  const conclusions = describeConclusions(checkRuns, isFinal);
  const writeTimes = writes.filter((write) => write.method === "POST").map((write) => write.receivedAt);
  const rejected = github.calls.filter((call) => call.limit !== undefined).length;
  const spendEntries = countLines(join(input.stateDir, "spend"));

  const lines = [
    `deliveries sent: ${sent.length} (HTTP statuses: ${describeStatuses(sent)})`,
    `drained: ${input.drained ? "yes" : "no, stopped after the drain timeout"}, ${formatSeconds(input.drainMs)} after the last push; whole run ${formatSeconds(input.totalMs)}`,
    "",
    "| measure | Paddock | naive runner (no cancellation) |",
    "| --- | ---: | ---: |",
    `| pipelines started | ${stats.pipelinesStarted} | ${naive.started} |`,
    `| pipelines started per pull request | ${describeHistogram(startedPerPull)} | ${naive.started / options.pulls} each |`,
    `| most pipelines at once for one pull request | ${stats.maxOverlapPerEnvironment} | ${naive.maxOverlapPerPullRequest} |`,
    `| pipeline time, added up | ${formatSeconds(stats.pipelineMs)} | ${formatSeconds(naive.pipelineMs)} |`,
    `| check-run writes (POST + PATCH) | ${writes.length} | ${naive.checkRunWrites} |`,
    "",
    `pull requests whose pipelines overlapped: ${stats.environmentsWithOverlap}; most pipelines at once across all: ${stats.maxConcurrentPipelines}`,
    `pipelines that reached the provider with an already aborted signal (no build, but GitHub reads and a spend entry): ${stats.preparesAlreadyAborted}`,
    `pipelines succeeded: ${stats.pipelinesSucceeded}, cancelled: ${stats.pipelinesCancelled}; spend ledger entries: ${spendEntries}`,
    `check-run writes per superseded commit: ${describeHistogram(superseded.map((push) => writesBySha.get(push.sha) ?? 0))} (writes×commits)`,
    `check-run writes per final commit: ${describeHistogram([...finalSha.values()].map((push) => writesBySha.get(push.sha) ?? 0))}`,
    `check-run conclusions: ${conclusions}`,
    `final commit, push sent -> completed check run: ${describeWaits(finalWaits)}`,
    `most check-run creates in one minute: ${maxPerMinute(writeTimes)} (GitHub's content-creating limit: ${GITHUB_CONTENT_CREATING_PER_MINUTE})`,
    `GitHub requests: ${github.calls.length} (${describeMethods(github)})${options.limits ? `, rejected by a rate limit: ${rejected}` : ""}`,
    `warnings and errors logged: ${describeProblems(input.problems)}`,
  ];
  console.log(lines.join("\n"));
}

// A wait is NaN when the final commit's check run never completed before the run stopped.
function describeWaits(waits: readonly number[]): string {
  const completed = waits.filter((wait) => !Number.isNaN(wait));
  const missing = waits.length - completed.length;
  if (completed.length === 0) return `none of ${waits.length} completed before the run stopped`;
  return `p50 ${formatMs(percentile(completed, 50))}, max ${formatMs(Math.max(...completed))}${missing > 0 ? `; ${missing} of ${waits.length} never completed` : ""}`;
}

function describeSetup(options: BurstOptions): string {
  return [
    `lifecycle burst: ${options.pulls} pull requests × ${options.pushes} pushes, ${options.intervalMs} ms apart per pull request; simulated pipeline ${options.pipelineMs} ms`,
    `Paddock defaults: pipeline concurrency ${DEFAULT_PIPELINE_CONCURRENCY}, quiet time ${DEFAULT_QUIET_MS} ms; Octokit throttling ${options.throttle ? "on" : "off"}; GitHub limits ${options.limits ? "enforced" : "off"}`,
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, load average at start ${loadavg().map((value) => value.toFixed(2)).join(" ")}`,
    "",
  ].join("\n");
}

function describeConclusions(checkRuns: ReturnType<LoopbackGitHub["checkRuns"]>, isFinal: (sha: string) => boolean): string {
  const counts = new Map<string, number>();
  for (const run of checkRuns) {
    const key = `${isFinal(run.head_sha) ? "final" : "superseded"} ${run.conclusion ?? run.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort().map(([key, count]) => `${key} ${count}`).join(", ");
}

function describeStatuses(sent: readonly SentPush[]): string {
  return describeHistogram(sent.map((push) => push.status)).replaceAll("×", " ×");
}

function describeMethods(github: LoopbackGitHub): string {
  const counts = new Map<string, number>();
  for (const call of github.calls) counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
  return [...counts.entries()].map(([method, count]) => `${method} ${count}`).join(", ");
}

// The spend ledger keeps one JSONL file per UTC day, so a run across midnight has two.
function countLines(directory: string): number {
  if (!existsSync(directory)) return 0;
  return readdirSync(directory).reduce((total, file) => total + readFileSync(join(directory, file), "utf8").split("\n").filter(Boolean).length, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

await main();
// With --throttle, Octokit may still hold writes that the drain timeout cut off, each with its own timer: end here instead of waiting for them.
process.exit(0);
