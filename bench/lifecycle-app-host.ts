/**
 * Runs Paddock's app alone in a child process, so a benchmark can read the app's memory
 * without the loopback GitHub, the webhook sender or the control plane in the same heap. The
 * parent starts it with `node --expose-gc --import tsx` and an IPC channel (see
 * lifecycle-host-client.ts), passes the settings as JSON in PADDOCK_BENCH_HOST, and talks to it
 * with the messages below.
 *
 * The app is wired as app/main.ts wires it: Probot's server on 127.0.0.1, Paddock's Octokit,
 * file governance and a spool-only audit trail in a fresh state folder. Only the provider differs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { KubeConfig } from "@kubernetes/client-node";

import { createPaddockApp } from "../app/paddock-app.ts";
import { SPOOL_JOURNAL_NAME } from "../src/audit/file-audit-spool.ts";
import { createKubernetesProvider } from "../src/providers/kubernetes/kubernetes-provider.ts";
import { LIST_CALL_ENVIRONMENT } from "../src/providers/kubernetes/list-environments.ts";
import type { GitHubRequester } from "../src/github/repository-gateway.ts";
import type { Provider } from "../src/providers/provider.ts";
import { createAuditTrailFromEnv } from "../src/service/create-audit-trail-from-env.ts";
import { createFileGovernance } from "../src/service/create-governance.ts";
import { keepWasmOnBaselineCompiler } from "../src/service/keep-wasm-on-baseline-compiler.ts";
import { createPaddockService, type PaddockService } from "../src/service/paddock-service.ts";
import type { SweepTarget } from "../src/service/sweep-environments.ts";
import { createCountingLogger } from "./lifecycle-counting-logger.ts";
import { startMemorySampler, type MemoryTrace } from "./lifecycle-memory-trace.ts";
import { startProbotServer } from "./lifecycle-probot-server.ts";
import { SimulatedProvider, type SimulatedProviderStats } from "./lifecycle-simulated-provider.ts";

/** Settings of the app host. */
export interface AppHostSettings {
  /** API origin of the loopback GitHub. */
  baseUrl: string;
  provider: { kind: "kubernetes"; kubeconfigPath: string } | { kind: "simulated"; prepareMs: number; stepMs: number };
  /** Starts the app's own sweeper at load and then at this interval, as PADDOCK_SWEEP_INTERVAL does. */
  sweepIntervalMs?: number;
  /** Keeps Octokit's throttling on, as in production; off by default. */
  throttle: boolean;
  /** Puts the webhook front thread before Probot's server, as app/main.ts does; on unless false. */
  front?: boolean;
  /** Samples the process's memory at this interval from the start (see lifecycle-memory-trace.ts); no sampling when unset. */
  traceIntervalMs?: number;
}

/** A memory reading of the app process, taken after `global.gc()`. */
export interface MemoryReading {
  rssBytes: number;
  /** Memory V8 holds for the JavaScript heap, used or not. */
  heapTotalBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** Peak resident memory of the process so far, from getrusage. */
  maxRssBytes: number;
}

/** One sweep by the app's own sweeper. */
export interface SweepReading {
  durationMs: number;
  listed: number;
  removed: number;
  skippedRepositories: number;
  /** Time of the provider's `listEnvironments` call within the sweep. */
  listMs: number;
  /** Time the sweep spent getting a GitHub client per repository (the app's installation lookup and token). */
  clientMs: number;
  /** Time the sweep spent in requests for open pull requests. */
  pullsMs: number;
  /** List requests the Kubernetes provider sent to the API server during the sweep. */
  listCalls: number;
  /** Memory after the sweep, read after `global.gc()` once the sweep's time was taken. */
  memory: MemoryReading;
}

/** Sizes of the app's files in its state folder. */
export interface StateFiles {
  /** Lines and bytes of the audit spool's journal. The spool keeps the same records in memory until a ledger takes them. */
  auditSpoolLines: number;
  auditSpoolBytes: number;
  /** Entries of the spend ledger, one per judged run. */
  spendEntries: number;
}

/** Messages from the parent. */
export type HostRequest = { type: "memory" } | { type: "idle" } | { type: "stats" } | { type: "trace" } | { type: "stop" };

/** Messages to the parent. */
export type HostMessage =
  | { type: "ready"; webhookUrl: string }
  | { type: "sweep"; sweep: SweepReading }
  | { type: "memory"; memory: MemoryReading }
  | { type: "idle" }
  | { type: "stats"; stats: SimulatedProviderStats | undefined; problems: Array<[string, { count: number; firstError: string | undefined }]>; files: StateFiles }
  | { type: "trace"; trace: MemoryTrace }
  | { type: "stopped" };

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.PADDOCK_BENCH_HOST ?? "") as AppHostSettings;
  const sampler = settings.traceIntervalMs === undefined ? undefined : startMemorySampler({ intervalMs: settings.traceIntervalMs });
  // As app/main.ts does first.
  keepWasmOnBaselineCompiler();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!process.send || !gc) throw new Error("lifecycle-app-host needs an IPC channel and --expose-gc: start it through lifecycle-host-client.ts");
  const send = (message: HostMessage): void => void process.send!(message);
  const stateDir = mkdtempSync(join(tmpdir(), "paddock-bench-host-"));
  const { logger, problems } = createCountingLogger();

  // 1. The provider, the service and the app.
  const kubernetes = settings.provider.kind === "kubernetes" ? createKubernetesProvider({ kubeConfig: loadKubeConfig(settings.provider.kubeconfigPath), logger }) : undefined;
  const simulated = settings.provider.kind === "simulated" ? new SimulatedProvider(settings.provider) : undefined;
  let listMs = 0;
  const provider: Provider = kubernetes ? { ...kubernetes, listEnvironments: () => timeCall(() => kubernetes.listEnvironments(), (ms) => (listMs += ms)) } : simulated!;
  const audit = await createAuditTrailFromEnv({ env: {}, stateDir, logger });
  const service = createPaddockService({ provider, logger, governance: createFileGovernance({ stateDir }), audit });
  let sweeps = 0;
  const timedService: PaddockService = {
    ...service,
    sweep: async (options) => {
      kubernetes?.takeApiCalls(LIST_CALL_ENVIRONMENT);
      listMs = 0;
      const github = { clientMs: 0, pullsMs: 0 };
      sweeps += 1;
      sampler?.mark(`sweep ${sweeps} started`);
      const startedAt = performance.now();
      const report = await service.sweep({ githubFor: timeGitHub(options.githubFor, github) });
      const durationMs = performance.now() - startedAt;
      sampler?.mark(`sweep ${sweeps} finished`);
      const listCalls = kubernetes?.takeApiCalls(LIST_CALL_ENVIRONMENT).byVerb.list ?? 0;
      const sweep = { durationMs, listed: report.listed, removed: report.removed.length, skippedRepositories: report.skippedRepositories.length, listMs, ...github, listCalls, memory: await readMemory(gc) };
      send({ type: "sweep", sweep });
      return report;
    },
  };
  sampler?.mark("app loading");
  const server = await startProbotServer({ baseUrl: settings.baseUrl, logger, throttle: settings.throttle, front: settings.front ?? true, apps: [createPaddockApp({ service: timedService, ...(settings.sweepIntervalMs !== undefined ? { sweepIntervalMs: settings.sweepIntervalMs } : {}) })] });

  sampler?.mark("server listening");

  // 2. Handle the parent's requests until it sends stop.
  process.on("message", (request: HostRequest) => {
    void (async () => {
      if (request.type === "memory") {
        send({ type: "memory", memory: await readMemory(gc) });
      } else if (request.type === "idle") {
        await service.onIdle();
        send({ type: "idle" });
      } else if (request.type === "trace") {
        send({ type: "trace", trace: sampler?.read() ?? { samples: [], marks: [] } });
      } else if (request.type === "stats") {
        send({ type: "stats", stats: simulated?.stats(), problems: [...problems.entries()], files: readStateFiles(stateDir) });
      } else {
        await service.shutdown({ timeoutMs: 10_000 });
        await server.stop();
        rmSync(stateDir, { recursive: true, force: true });
        send({ type: "stopped" });
        process.disconnect();
      }
    })();
  });
  send({ type: "ready", webhookUrl: server.webhookUrl });
}

function readStateFiles(stateDir: string): StateFiles {
  const journal = join(stateDir, "audit", SPOOL_JOURNAL_NAME);
  const text = existsSync(journal) ? readFileSync(journal, "utf8") : "";
  const spendDirectory = join(stateDir, "spend");
  const spendEntries = existsSync(spendDirectory) ? readdirSync(spendDirectory).reduce((total, file) => total + countLines(readFileSync(join(spendDirectory, file), "utf8")), 0) : 0;
  return { auditSpoolLines: countLines(text), auditSpoolBytes: Buffer.byteLength(text), spendEntries };
}

function countLines(text: string): number {
  return text.split("\n").filter(Boolean).length;
}

/**
 * Reads the memory after two full collections 200 ms apart, so background work that the first
 * one left, such as sweeping freed pages, can finish before the second.
 */
async function readMemory(gc: () => void): Promise<MemoryReading> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapTotalBytes: usage.heapTotal, heapUsedBytes: usage.heapUsed, externalBytes: usage.external, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/**
 * Wraps the sweeper's `githubFor` so the time it takes, and the time of each request of the
 * client it returns, add up in `totals`. Calls that overlap add up too, so with repositories read
 * at the same time the totals can exceed the sweep's own time.
 */
function timeGitHub(githubFor: (target: SweepTarget) => Promise<GitHubRequester | undefined>, totals: { clientMs: number; pullsMs: number }): (target: SweepTarget) => Promise<GitHubRequester | undefined> {
  return async (target) => {
    const octokit = await timeCall(() => githubFor(target), (ms) => (totals.clientMs += ms));
    if (!octokit) return undefined;
    return { request: (route, parameters) => timeCall(() => octokit.request(route, parameters), (ms) => (totals.pullsMs += ms)) };
  };
}

async function timeCall<T>(call: () => Promise<T>, record: (ms: number) => void): Promise<T> {
  const startedAt = performance.now();
  try {
    return await call();
  } finally {
    record(performance.now() - startedAt);
  }
}

function loadKubeConfig(path: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}

await main();
