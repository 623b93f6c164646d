/**
 * Replays many webhook deliveries into Paddock's app and measures how its resident memory grows.
 * The app runs alone in a child process (lifecycle-app-host.ts) with a simulated provider, on
 * Probot's real server on 127.0.0.1. Deliveries go signed over HTTP, a few at a time, for a
 * fixed set of pull requests; ReplayTraffic describes the mix of new commits, redeliveries,
 * second hooks, closes and reopens. GitHub is the loopback GitHub of test/loopback-github.
 *
 * At each checkpoint the sender pauses, waits until the app's queue is empty, and reads the
 * app's memory after `global.gc()`. Growth is measured from the warm-up checkpoint to the end.
 *
 *   node --import tsx bench/lifecycle-replay.ts [--deliveries 100000] [--warm-up 10000]
 *     [--checkpoints 10] [--concurrency 8] [--runtime tsx|bundle] [--throttle]
 */
import { Agent } from "node:http";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { MAX_REMEMBERED_EVENTS, RecentEvents } from "../src/environments/recent-events.ts";
import { PASSING_CONFIG } from "../test/loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../test/loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET } from "../test/loopback-github/paddock-server.ts";
import { toServedPullRequest } from "../test/loopback-github/webhook-payloads.ts";
import { sendWebhook } from "../test/loopback-github/webhook-sender.ts";
import type { MemoryReading } from "./lifecycle-app-host.ts";
import { describeHistogram } from "./lifecycle-check-run-writes.ts";
import { describeProblems } from "./lifecycle-counting-logger.ts";
import { startAppHost, type AppHost, type HostRuntime } from "./lifecycle-host-client.ts";
import { deliveryIdOf, ReplayTraffic, type DeliveryKind, type ReplayRepository } from "./lifecycle-replay-traffic.ts";

/** Repositories and pull requests per repository; 20 per repository stays within the default per-repository cap of live environments. */
const REPOSITORIES = 5;
const PULLS_PER_REPOSITORY = 20;
/** Round in which half of the pull requests get deliveries; longer than the scheduler's 3-second quiet time, so the other half start runs. */
const ROUND_MS = 4_000;
/** Simulated pipeline: prepare and one step, in milliseconds. */
const SIMULATED_PREPARE_MS = 20;
const SIMULATED_STEP_MS = 80;
const SEED = 20_260_101;

interface ReplayOptions {
  deliveries: number;
  warmUp: number;
  checkpoints: number;
  concurrency: number;
  runtime: HostRuntime;
  throttle: boolean;
}

/** Memory at one checkpoint, after the given number of deliveries. */
interface Checkpoint {
  delivered: number;
  memory: MemoryReading;
  /** Bytes of the audit spool's journal; the app keeps the same records in memory. */
  auditSpoolBytes: number;
  /** Wall time of the sending since the previous checkpoint, without the pause for the queue to drain. */
  sendMs: number;
}

function readOptions(): ReplayOptions {
  const { values } = parseArgs({
    options: {
      deliveries: { type: "string", default: "100000" },
      "warm-up": { type: "string", default: "10000" },
      checkpoints: { type: "string", default: "10" },
      concurrency: { type: "string", default: "8" },
      runtime: { type: "string", default: "tsx" },
      throttle: { type: "boolean", default: false },
    },
  });
  const whole = (name: string, value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} ${value} is invalid: pass a whole number of 1 or more`);
    return number;
  };
  if (values.runtime !== "tsx" && values.runtime !== "bundle") throw new Error(`--runtime ${values.runtime} is invalid: pass tsx or bundle`);
  const options: ReplayOptions = {
    deliveries: whole("deliveries", values.deliveries),
    warmUp: whole("warm-up", values["warm-up"]),
    checkpoints: whole("checkpoints", values.checkpoints),
    concurrency: whole("concurrency", values.concurrency),
    runtime: values.runtime as HostRuntime,
    throttle: values.throttle,
  };
  if (options.warmUp >= options.deliveries) throw new Error(`--warm-up ${options.warmUp} is invalid: it must be less than --deliveries ${options.deliveries}`);
  return options;
}

async function main(): Promise<void> {
  const options = readOptions();
  console.log(`lifecycle replay: ${options.deliveries} deliveries, ${REPOSITORIES * PULLS_PER_REPOSITORY} pull requests in ${REPOSITORIES} repositories, ${options.concurrency} deliveries in flight`);
  console.log(`app: ${options.runtime === "tsx" ? "`node --import tsx` (as `npm run start:tsx`)" : "an esbuild bundle and plain `node` (as `npm start`)"}, Octokit throttling ${options.throttle ? "on" : "off"}, simulated pipeline ${SIMULATED_PREPARE_MS + SIMULATED_STEP_MS} ms`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, load average at start ${loadavg().map((value) => value.toFixed(2)).join(" ")}\n`);

  // 1. GitHub, the traffic and the app.
  const github = await startLoopbackGitHub();
  const repositories: ReplayRepository[] = Array.from({ length: REPOSITORIES }, (_, index) => ({ owner: "acme", repo: `replay-${index}`, id: 9_000 + index, installationId: 77 }));
  for (const repository of repositories) github.serveRepository({ ...repository, files: { ".github/paddock.yml": PASSING_CONFIG } });
  const traffic = new ReplayTraffic({ repositories, pullsPerRepository: PULLS_PER_REPOSITORY, roundMs: ROUND_MS, seed: SEED });
  for (const pull of traffic.initialPulls()) github.setPullRequest({ owner: pull.owner, repo: pull.repo, pullRequest: toServedPullRequest(pull.payload) });
  const host = await startAppHost({ baseUrl: github.baseUrl, provider: { kind: "simulated", prepareMs: SIMULATED_PREPARE_MS, stepMs: SIMULATED_STEP_MS }, throttle: options.throttle }, { runtime: options.runtime });

  // 2. Send, pausing at the warm-up and at each checkpoint to read the memory.
  try {
    const started = await host.readMemory();
    const marks = checkpointMarks(options);
    const sender = new Sender({ github, host, traffic, concurrency: options.concurrency });
    const checkpoints: Checkpoint[] = [];
    for (const mark of marks) {
      const sendStarted = performance.now();
      await sender.sendUntil(mark);
      const sendMs = performance.now() - sendStarted;
      await host.waitForIdle();
      const memory = await host.readMemory();
      checkpoints.push({ delivered: mark, memory, auditSpoolBytes: (await host.readStats()).files.auditSpoolBytes, sendMs });
      console.log(`checkpoint ${mark}: RSS ${formatMb(checkpoints.at(-1)!.memory.rssBytes)}, heap used ${formatMb(checkpoints.at(-1)!.memory.heapUsedBytes)}`);
    }
    const stats = await host.readStats();
    report({ options, started, checkpoints, sender, github, stats, recentEventsBytes: measureRecentEventsBytes() });
  } finally {
    await host.stop();
    await github.close();
  }
}

/** Deliveries after which memory is read: the warm-up, then evenly spaced to the end. */
function checkpointMarks(options: ReplayOptions): number[] {
  const step = (options.deliveries - options.warmUp) / options.checkpoints;
  return [options.warmUp, ...Array.from({ length: options.checkpoints }, (_, index) => Math.round(options.warmUp + step * (index + 1)))];
}

/** Sends deliveries with a fixed number in flight and counts them by kind and reply status. */
class Sender {
  readonly kinds = new Map<DeliveryKind, number>();
  readonly statuses: number[] = [];
  #sent = 0;
  readonly #startedAt = performance.now();
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #options: { github: LoopbackGitHub; host: AppHost; traffic: ReplayTraffic; concurrency: number };

  constructor(options: { github: LoopbackGitHub; host: AppHost; traffic: ReplayTraffic; concurrency: number }) {
    this.#options = options;
  }

  get sent(): number {
    return this.#sent;
  }

  /** Sends until `total` deliveries have been sent and their replies received. */
  async sendUntil(total: number): Promise<void> {
    const worker = async (): Promise<void> => {
      while (this.#sent < total) {
        this.#sent += 1;
        await this.#sendOne();
      }
    };
    await Promise.all(Array.from({ length: this.#options.concurrency }, worker));
  }

  async #sendOne(): Promise<void> {
    const { github, host, traffic } = this.#options;
    const delivery = traffic.next(performance.now() - this.#startedAt);
    this.kinds.set(delivery.kind, (this.kinds.get(delivery.kind) ?? 0) + 1);
    // A redelivery and a second hook repeat an event, so GitHub's state does not change.
    if (delivery.kind !== "redelivery" && delivery.kind !== "second-hook") {
      github.setPullRequest({ owner: delivery.pull.owner, repo: delivery.pull.repo, pullRequest: toServedPullRequest(delivery.pull.payload) });
    }
    const reply = await sendWebhook({ url: host.webhookUrl, agent: this.#agent, delivery: { name: "pull_request", id: delivery.id, body: delivery.body, secret: LOOPBACK_WEBHOOK_SECRET } });
    this.statuses.push(reply.status);
  }
}

function report(input: {
  options: ReplayOptions;
  started: MemoryReading;
  checkpoints: Checkpoint[];
  sender: Sender;
  github: LoopbackGitHub;
  stats: Awaited<ReturnType<AppHost["readStats"]>>;
  recentEventsBytes: number;
}): void {
  const { checkpoints, sender, github } = input;
  const warm = checkpoints[0]!;
  const last = checkpoints.at(-1)!;
  const sendMs = checkpoints.reduce((total, checkpoint) => total + checkpoint.sendMs, 0);
  const checkRunWrites = github.calls.filter((call) => call.pathTemplate?.startsWith("/repos/{owner}/{repo}/check-runs") && call.method !== "GET").length;
  const stats = input.stats.stats;
  const lines = [
    "",
    `deliveries: ${sender.sent} in ${formatSeconds(sendMs)} of sending (${Math.round(sender.sent / (sendMs / 1000))} a second); by kind: ${[...sender.kinds.entries()].map(([kind, count]) => `${kind} ${count}`).join(", ")}`,
    `reply statuses: ${describeHistogram(sender.statuses)}`,
    `pipelines started: ${stats?.pipelinesStarted ?? 0} (succeeded ${stats?.pipelinesSucceeded ?? 0}, cancelled ${stats?.pipelinesCancelled ?? 0}, already aborted at prepare ${stats?.preparesAlreadyAborted ?? 0}); most at once for one pull request: ${stats?.maxOverlapPerEnvironment ?? 0}`,
    `GitHub requests: ${github.calls.length}, check-run writes: ${checkRunWrites}`,
    "",
    "| after deliveries | RSS | heap total | heap used | external | audit spool journal |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    `| 0 (started) | ${formatMemory(input.started)} | 0.0 MB |`,
    ...checkpoints.map((checkpoint) => `| ${checkpoint.delivered} | ${formatMemory(checkpoint.memory)} | ${formatMb(checkpoint.auditSpoolBytes)} |`),
    "",
    `growth from the warm-up (${warm.delivered}) to the end (${last.delivered}): RSS ${formatSignedMb(last.memory.rssBytes - warm.memory.rssBytes)}, heap used ${formatSignedMb(last.memory.heapUsedBytes - warm.memory.heapUsedBytes)}`,
    `least-squares slope over the checkpoints, per 10,000 deliveries: RSS ${formatSignedMb(slope(checkpoints, (checkpoint) => checkpoint.memory.rssBytes) * 10_000)}, heap used ${formatSignedMb(slope(checkpoints, (checkpoint) => checkpoint.memory.heapUsedBytes) * 10_000)}`,
    `RecentEvents filled to its cap of ${MAX_REMEMBERED_EVENTS} keys shaped like the service's (measured in this process): ${formatMb(input.recentEventsBytes)} of heap`,
    `peak RSS: ${formatMb(last.memory.maxRssBytes)}`,
    `audit spool: ${input.stats.files.auditSpoolLines} records, ${formatMb(input.stats.files.auditSpoolBytes)} of JSON, all held in memory; spend ledger entries: ${input.stats.files.spendEntries}`,
    `warnings and errors logged by the app: ${describeProblems(new Map(input.stats.problems))}`,
  ];
  console.log(lines.join("\n"));
}

/** Returns the least-squares slope of `value` against the number of deliveries, in bytes per delivery. */
function slope(checkpoints: readonly Checkpoint[], value: (checkpoint: Checkpoint) => number): number {
  const meanX = checkpoints.reduce((total, checkpoint) => total + checkpoint.delivered, 0) / checkpoints.length;
  const meanY = checkpoints.reduce((total, checkpoint) => total + value(checkpoint), 0) / checkpoints.length;
  const covariance = checkpoints.reduce((total, checkpoint) => total + (checkpoint.delivered - meanX) * (value(checkpoint) - meanY), 0);
  const variance = checkpoints.reduce((total, checkpoint) => total + (checkpoint.delivered - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

/**
 * Measures the heap a RecentEvents holds when full, with the two keys the service remembers per
 * accepted delivery: `delivery/<GUID>` and `event/<repository>/<number>/<sha>/<action>`.
 */
function measureRecentEventsBytes(): number {
  // This process runs without --expose-gc; V8 exposes `gc` to contexts created after the flag is set.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const memory = new RecentEvents();
  const event = { repository: { id: 9_000 }, action: "synchronize", pullRequest: { number: 0, headSha: "" }, deliveryId: "" };
  for (let index = 0; memory.size < MAX_REMEMBERED_EVENTS; index += 1) {
    event.pullRequest = { number: (index % PULLS_PER_REPOSITORY) + 1, headSha: index.toString(16).padStart(40, "0") };
    event.deliveryId = deliveryIdOf(index);
    // The same template literals as acceptPullRequest in src/service/paddock-service.ts.
    const identity = `event/${event.repository.id}/${event.pullRequest.number}/${event.pullRequest.headSha}/${event.action}`;
    memory.checkAndRemember([`delivery/${event.deliveryId}`, identity]);
  }
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  if (memory.size === 0) throw new Error("RecentEvents was emptied before it was measured");
  return bytes;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function formatMemory(memory: MemoryReading): string {
  return [memory.rssBytes, memory.heapTotalBytes, memory.heapUsedBytes, memory.externalBytes].map(formatMb).join(" | ");
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatSignedMb(bytes: number): string {
  return `${bytes >= 0 ? "+" : ""}${formatMb(bytes)}`;
}

await main();
