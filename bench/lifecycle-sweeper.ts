/**
 * Measures the sweeper over many live environments on a test control plane that this script
 * starts (etcd, kube-apiserver, controllers and kwok on 127.0.0.1). It creates the environments
 * the cheap way, as labelled namespaces made with the admin client: namespaces with Paddock's
 * labels and annotations are all that `listEnvironments` reads. Paddock's app then runs alone in
 * a child process (lifecycle-app-host.ts) with the Kubernetes provider, its own sweeper on an
 * interval, and the loopback GitHub of test/loopback-github, which serves the open pull requests.
 * It reports each sweep's time and list requests, the GitHub requests, and the app's resident
 * memory. The app runs twice, one after the other: under tsx, as `npm run start:tsx` runs it,
 * and as one JavaScript file that esbuild bundled from the same sources, as `npm start` runs it.
 *
 *   node --import tsx bench/lifecycle-sweeper.ts [--environments 1000] [--repositories 10]
 *     [--sweeps 6] [--sweep-interval-s 5] [--cleanup-wait-s 60] [--runtimes tsx,bundle] [--unthrottled]
 *     [--no-front] [--trace-gc] [--trace-file PATH]
 *
 * The app's memory is sampled every 10 ms from its start, and the report gives the time and
 * phase of the peak. `--no-front` runs the app without the webhook front thread, to compare. `--trace-gc`
 * passes Node's `--trace-gc` to the app, whose lines name each isolate (the main thread and
 * the front thread) by address. `--trace-file` writes the samples as JSON.
 *
 * Every environment's pull request is open and none has expired, so the sweeps remove nothing
 * and both runs see the same environments.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { CoreV1Api } from "@kubernetes/client-node";
import pLimit from "p-limit";

import { buildEnvironmentAnnotations, buildEnvironmentLabels, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../src/environments/environment-labels.ts";
import { nameEnvironment } from "../src/environments/environment-name.ts";
import { POLICY_ANNOTATIONS } from "../src/policy/policy-annotations.ts";
import { buildEnvironmentManifests } from "../src/providers/kubernetes/manifests/environment-manifests.ts";
import { DEFAULT_POD_SECURITY_VERSION } from "../src/providers/kubernetes/manifests/namespace-manifest.ts";
import { DEFAULT_EPHEMERAL_STORAGE } from "../src/providers/kubernetes/manifests/quota-manifests.ts";
import type { EnvironmentSpec } from "../src/providers/provider.ts";
import { INSTALLATION_ANNOTATION } from "../src/service/run-annotations.ts";
import { startControlPlane } from "../test/cluster/control-plane.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../test/loopback-github/loopback-github.ts";
import type { MemoryReading } from "./lifecycle-app-host.ts";
import { describeProblems, type ProblemCounts } from "./lifecycle-counting-logger.ts";
import { describeMemoryTrace } from "./lifecycle-memory-report.ts";
import type { MemoryTrace } from "./lifecycle-memory-trace.ts";
import { startAppHost, type AppHost, type HostRuntime } from "./lifecycle-host-client.ts";
import { formatMs, percentile } from "./percentiles.ts";

const OWNER = "acme";
const INSTALLATION_ID = 77;
/** Requests the admin client sends at once while it creates or deletes the namespaces. */
const ADMIN_CONCURRENCY = 20;

interface SweeperOptions {
  environments: number;
  repositories: number;
  sweeps: number;
  sweepIntervalMs: number;
  cleanupWaitMs: number;
  runtimes: HostRuntime[];
  /** Runs the app without Octokit's throttling, to show the time the throttling adds. */
  unthrottled: boolean;
  /** Runs the app with the webhook front thread, as app/main.ts does. */
  front: boolean;
  traceGc: boolean;
  traceFile: string | undefined;
}

/** Interval of the app's memory samples. */
const TRACE_INTERVAL_MS = 10;

/** One environment the benchmark creates. */
interface PlannedEnvironment {
  spec: EnvironmentSpec;
  repository: string;
  pullRequest: number;
}

function readOptions(): SweeperOptions {
  const { values } = parseArgs({
    options: {
      environments: { type: "string", default: "1000" },
      repositories: { type: "string", default: "10" },
      sweeps: { type: "string", default: "6" },
      "sweep-interval-s": { type: "string", default: "5" },
      "cleanup-wait-s": { type: "string", default: "60" },
      runtimes: { type: "string", default: "tsx,bundle" },
      unthrottled: { type: "boolean", default: false },
      "no-front": { type: "boolean", default: false },
      "trace-gc": { type: "boolean", default: false },
      "trace-file": { type: "string" },
    },
  });
  const whole = (name: string, value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} ${value} is invalid: pass a whole number of 1 or more`);
    return number;
  };
  return {
    environments: whole("environments", values.environments),
    repositories: whole("repositories", values.repositories),
    sweeps: whole("sweeps", values.sweeps),
    sweepIntervalMs: whole("sweep-interval-s", values["sweep-interval-s"]) * 1000,
    cleanupWaitMs: whole("cleanup-wait-s", values["cleanup-wait-s"]) * 1000,
    runtimes: values.runtimes.split(",").map((runtime) => {
      if (runtime !== "tsx" && runtime !== "bundle") throw new Error(`--runtimes ${values.runtimes} is invalid: pass tsx, bundle or both, separated by a comma`);
      return runtime;
    }),
    unthrottled: values.unthrottled,
    front: !values["no-front"],
    traceGc: values["trace-gc"],
    traceFile: values["trace-file"],
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  console.log(`lifecycle sweeper: ${options.environments} environments in ${options.repositories} repositories, ${options.sweeps} sweeps ${options.sweepIntervalMs / 1000} s apart, Octokit throttling ${options.unthrottled ? "off" : "on"}, webhook front thread ${options.front ? "on" : "off"}`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, load average at start ${loadavg().map((value) => value.toFixed(2)).join(" ")}\n`);

  const controlPlane = await startControlPlane();
  const directory = await mkdtemp(join(tmpdir(), "paddock-bench-sweeper-"));
  const github = await startLoopbackGitHub();
  const core = controlPlane.kubeConfig("admin").makeApiClient(CoreV1Api);
  try {
    // 1. GitHub's side (repositories and pull requests) and the environments, made with the admin client.
    const planned = planEnvironments(options);
    serveRepositories(github, planned, options.repositories);
    const createStarted = performance.now();
    const limit = pLimit(ADMIN_CONCURRENCY);
    await Promise.all(planned.map((environment) => limit(() => core.createNamespace({ body: buildNamespace(environment.spec) }))));
    console.log(`created ${planned.length} namespaces in ${formatSeconds(performance.now() - createStarted)}, ${ADMIN_CONCURRENCY} requests at a time`);

    // 2. The app under each runtime, one after the other.
    const kubeconfigPath = join(directory, "admin.yaml");
    await writeFile(kubeconfigPath, controlPlane.kubeconfigYaml("admin"), { mode: 0o600 });
    for (const runtime of options.runtimes) {
      const run = await measureSweeps({ github, kubeconfigPath, runtime, options });
      report({ ...run, runtime, environments: planned.length });
    }

    // 3. Clean up: delete every namespace; the namespace controller finishes the deletion.
    await cleanUp({ core, names: planned.map((environment) => environment.spec.name), waitMs: options.cleanupWaitMs });
  } finally {
    await github.close();
    await controlPlane.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

function planEnvironments(options: SweeperOptions): PlannedEnvironment[] {
  const now = Date.now();
  const perRepository = Math.ceil(options.environments / options.repositories);
  return Array.from({ length: options.environments }, (_, index) => {
    const repositoryIndex = Math.floor(index / perRepository);
    const repo = `service-${repositoryIndex}`;
    const pullRequest = (index % perRepository) + 1;
    const key = { repositoryId: 7_000 + repositoryIndex, pullRequest };
    const name = nameEnvironment({ repositoryName: repo, key });
    const expiresAt = new Date(now + 86_400_000).toISOString();
    const annotations = {
      ...buildEnvironmentAnnotations({ repository: `${OWNER}/${repo}`, key, branch: `feature/${pullRequest}`, headSha: index.toString(16).padStart(40, "0"), expiresAt }),
      [POLICY_ANNOTATIONS.actor]: `developer-${pullRequest % 37}`,
      [POLICY_ANNOTATIONS.actorClass]: "human",
      // Written by every prepare (annotateRuns), so the sweeper needs no installation lookup.
      [INSTALLATION_ANNOTATION]: String(INSTALLATION_ID),
    };
    const spec: EnvironmentSpec = { name, labels: buildEnvironmentLabels({ name, key }), annotations, resources: { cpu: "1", memory: "1Gi" }, egress: [], ttlSeconds: 86_400 };
    return { spec, repository: repo, pullRequest };
  });
}

// The namespace exactly as the provider's `prepare` would apply it.
function buildNamespace(spec: EnvironmentSpec) {
  return buildEnvironmentManifests(spec, { podSecurityVersion: DEFAULT_POD_SECURITY_VERSION, ephemeralStorage: DEFAULT_EPHEMERAL_STORAGE }).namespace;
}

function serveRepositories(github: LoopbackGitHub, planned: readonly PlannedEnvironment[], repositories: number): void {
  for (let index = 0; index < repositories; index += 1) {
    github.serveRepository({ owner: OWNER, repo: `service-${index}`, id: 7_000 + index, installationId: INSTALLATION_ID, files: {} });
  }
  for (const environment of planned) {
    github.setPullRequest({
      owner: OWNER,
      repo: environment.repository,
      pullRequest: {
        number: environment.pullRequest,
        state: "open",
        merged: false,
        head: { sha: environment.spec.annotations["paddock.dev/head-sha"]!, ref: `feature/${environment.pullRequest}`, repo: { full_name: `${OWNER}/${environment.repository}` } },
        base: { ref: "main" },
        user: { login: "developer", id: 1, type: "User" },
      },
    });
  }
}

interface SweepRun {
  sweeps: AppHost["sweeps"];
  githubCalls: LoopbackGitHub["calls"];
  /** Memory right after the app started, before its first sweep had finished, and after the counted sweeps. */
  started: MemoryReading;
  swept: MemoryReading;
  /** Memory samples from the app's start to the reading after the sweeps. */
  trace: MemoryTrace;
  problems: ProblemCounts;
}

/**
 * Starts the app with its sweeper, skips the first sweep (it mints the installation token and
 * opens the connections) and collects the next `options.sweeps`.
 */
async function measureSweeps(input: { github: LoopbackGitHub; kubeconfigPath: string; runtime: HostRuntime; options: SweeperOptions }): Promise<SweepRun> {
  const { github, options } = input;
  const host = await startAppHost(
    { baseUrl: github.baseUrl, provider: { kind: "kubernetes", kubeconfigPath: input.kubeconfigPath }, sweepIntervalMs: options.sweepIntervalMs, throttle: !options.unthrottled, front: options.front, traceIntervalMs: TRACE_INTERVAL_MS },
    { runtime: input.runtime, nodeOptions: options.traceGc ? ["--trace-gc"] : [] },
  );
  try {
    const started = await host.readMemory();
    await waitForSweeps(host, 1);
    const callsBefore = github.calls.length;
    await waitForSweeps(host, 1 + options.sweeps);
    const githubCalls = github.calls.slice(callsBefore);
    const swept = await host.readMemory();
    const { problems } = await host.readStats();
    const trace = await host.readTrace();
    if (options.traceFile) await writeFile(`${options.traceFile}.${input.runtime}.json`, JSON.stringify(trace));
    return { sweeps: host.sweeps.slice(1, 1 + options.sweeps), githubCalls, started, swept, trace, problems: new Map(problems) };
  } finally {
    await host.stop();
  }
}

/** Waits until the host has reported `count` sweeps. */
async function waitForSweeps(host: AppHost, count: number): Promise<void> {
  while (host.sweeps.length < count) await sleep(100);
}

function report(input: SweepRun & { runtime: HostRuntime; environments: number }): void {
  const { sweeps } = input;
  const durations = sweeps.map((sweep) => sweep.durationMs);
  const countCalls = (template: string) => input.githubCalls.filter((call) => call.pathTemplate === template).length;
  const serverTimes = input.githubCalls.map((call) => call.answeredAt - call.receivedAt);
  const lines = [
    "",
    `app run with ${input.runtime === "tsx" ? "`node --import tsx` (as `npm run start:tsx`)" : "an esbuild bundle and plain `node` (as `npm start`)"}:`,
    "",
    "| sweep | listed | removed | time | listEnvironments | GitHub clients | open pull requests | list requests to the API server | RSS after, after gc |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...sweeps.map((sweep, index) => `| ${index + 1} | ${sweep.listed} | ${sweep.removed} | ${[sweep.durationMs, sweep.listMs, sweep.clientMs, sweep.pullsMs].map(formatMs).join(" | ")} | ${sweep.listCalls} | ${formatMb(sweep.memory.rssBytes)} |`),
    "",
    `sweep time: p50 ${formatMs(percentile(durations, 50))}, max ${formatMs(Math.max(...durations))}`,
    `GitHub requests during these sweeps: ${input.githubCalls.length} (installation lookups ${countCalls("/repos/{owner}/{repo}/installation")}, open pull request pages ${countCalls("/repos/{owner}/{repo}/pulls")}, token mints ${countCalls("/app/installations/{installation_id}/access_tokens")})`,
    `loopback GitHub's own time per request (arrival to answer): p50 ${formatMs(percentile(serverTimes, 50))}, max ${formatMs(Math.max(...serverTimes))}`,
    "",
    "| app process memory, after global.gc() | RSS | heap total | heap used | external |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| just started | ${formatMemory(input.started)} |`,
    `| after the sweeps of ${input.environments} environments | ${formatMemory(input.swept)} |`,
    "",
    `peak RSS of the app process: ${formatMb(input.swept.maxRssBytes)}`,
    ...describeMemoryTrace(input.trace),
    "",
    `warnings and errors logged by the app: ${describeProblems(input.problems)}`,
  ];
  console.log(lines.join("\n"));
}

async function cleanUp(options: { core: CoreV1Api; names: string[]; waitMs: number }): Promise<void> {
  const { core, names } = options;
  const started = performance.now();
  const limit = pLimit(ADMIN_CONCURRENCY);
  await Promise.all(names.map((name) => limit(() => core.deleteNamespace({ name }).catch((error: unknown) => ((error as { code?: number }).code === 404 ? undefined : Promise.reject(error))))));
  const deletedAt = performance.now();
  let remaining = names.length;
  while (remaining > 0 && performance.now() - deletedAt < options.waitMs) {
    await sleep(2_000);
    remaining = (await core.listNamespace({ labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` })).items.length;
  }
  const waited = formatSeconds(performance.now() - deletedAt);
  console.log(`\ncleanup: ${names.length} delete requests sent in ${formatSeconds(deletedAt - started)}; ${remaining} namespaces were still terminating ${waited} later, and stopping the control plane removes its data`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

await main();
