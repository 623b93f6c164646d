/**
 * Measures the Kubernetes provider on a test control plane that this script starts. It times
 * provisioning an environment (every object applied and the ResourceQuota in force) against
 * `kubectl apply --server-side` of the same manifests, and times teardown. It also counts API
 * requests per environment against the objects the environment has. Environments are
 * provisioned one after another, alternating the provider and kubectl, so load from other
 * processes hits both alike.
 * Prints Markdown tables.
 *
 *   node --import tsx bench/kubernetes-provision.ts [--environments N] [--teardown-concurrency N]
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs, promisify } from "node:util";

import pLimit from "p-limit";
import { stringify } from "yaml";

import { buildEnvironmentAnnotations, buildEnvironmentLabels } from "../src/environments/environment-labels.ts";
import { nameEnvironment } from "../src/environments/environment-name.ts";
import type { ApiCallCounts } from "../src/providers/kubernetes/api-call-counter.ts";
import { createKubernetesProvider, type KubernetesProvider } from "../src/providers/kubernetes/kubernetes-provider.ts";
import { buildEnvironmentManifests, listEnvironmentObjects } from "../src/providers/kubernetes/manifests/environment-manifests.ts";
import { DEFAULT_POD_SECURITY_VERSION } from "../src/providers/kubernetes/manifests/namespace-manifest.ts";
import { DEFAULT_EPHEMERAL_STORAGE } from "../src/providers/kubernetes/manifests/quota-manifests.ts";
import type { EnvironmentSpec, SourceSpec } from "../src/providers/provider.ts";
import { startControlPlane, type ControlPlane } from "../test/cluster/control-plane.ts";

const run = promisify(execFile);
/** A rate limit high enough never to delay a request in this benchmark, to show the latency without throttling. */
const UNTHROTTLED = { qps: 100_000, burst: 100_000 };

interface Series {
  label: string;
  times: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { environments: { type: "string", default: "100" }, "teardown-concurrency": { type: "string", default: "10" } } });
  const count = Number(values.environments);
  const teardownConcurrency = Number(values["teardown-concurrency"]);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--environments ${values.environments} is invalid: pass a positive whole number`);
  if (!Number.isInteger(teardownConcurrency) || teardownConcurrency < 1) throw new Error(`--teardown-concurrency ${values["teardown-concurrency"]} is invalid: pass a positive whole number`);

  const controlPlane = await startControlPlane();
  const directory = await mkdtemp(join(tmpdir(), "paddock-bench-k8s-"));
  try {
    const kubeconfig = join(directory, "admin.yaml");
    await writeFile(kubeconfig, controlPlane.kubeconfigYaml("admin"), { mode: 0o600 });
    console.log(`kubernetes provision: ${count} environments per series, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}\n`);
    await measure({ controlPlane, kubeconfig, directory, count, teardownConcurrency });
  } finally {
    await rm(directory, { recursive: true, force: true });
    await controlPlane.stop();
  }
}

async function measure(options: { controlPlane: ControlPlane; kubeconfig: string; directory: string; count: number; teardownConcurrency: number }): Promise<void> {
  const { controlPlane, count } = options;
  const throttled = createKubernetesProvider({ kubeConfig: controlPlane.kubeConfig("admin") });
  const unthrottled = createKubernetesProvider({ kubeConfig: controlPlane.kubeConfig("admin"), rateLimit: UNTHROTTLED });
  const series: Series[] = [
    { label: "provider, default rate limit (20/s, burst 40)", times: [] },
    { label: "provider, no rate limit", times: [] },
    { label: "`kubectl apply --server-side`", times: [] },
  ];
  const calls: ApiCallCounts[] = [];
  const names: string[] = [];

  // 1. Provision, alternating the three ways.
  for (let index = 0; index < count; index += 1) {
    const [first, second, third] = [0, 1, 2].map((series) => buildEnvironment(`bench-${series}-${index}`));
    names.push(first!.name, second!.name, third!.name);
    series[0]!.times.push(await time(() => throttled.prepare({ environment: first!, source: SOURCE, signal: new AbortController().signal })));
    calls.push(throttled.takeApiCalls(first!.name));
    series[1]!.times.push(await time(() => unthrottled.prepare({ environment: second!, source: SOURCE, signal: new AbortController().signal })));
    series[2]!.times.push(await time(() => applyWithKubectl({ ...options, environment: third! })));
  }

  // 2. Tear everything down, a few at a time.
  const limit = pLimit(options.teardownConcurrency);
  const teardown: Series = { label: `teardown, ${options.teardownConcurrency} at a time`, times: [] };
  const teardownStarted = performance.now();
  await Promise.all(names.map((name) => limit(async () => teardown.times.push(await time(() => unthrottled.teardown({ environmentName: name }))))));
  const teardownWallMs = performance.now() - teardownStarted;

  printTimes([...series, teardown]);
  console.log(`\nteardown of ${names.length} environments took ${(teardownWallMs / 1000).toFixed(1)} s in all\n`);
  printCalls(calls, listEnvironmentObjects(buildEnvironmentManifests(buildEnvironment("objects"), MANIFEST_OPTIONS)).length);
}

const MANIFEST_OPTIONS = { podSecurityVersion: DEFAULT_POD_SECURITY_VERSION, ephemeralStorage: DEFAULT_EPHEMERAL_STORAGE };

const SOURCE: SourceSpec = {
  kind: "tarball",
  sha: "d".repeat(40),
  open: () => Promise.reject(new Error("not used")),
  credential: { url: "https://tarball.invalid/x.tar.gz", token: "unused", expiresAt: "2100-01-01T00:00:00Z" },
};

function buildEnvironment(branch: string): EnvironmentSpec {
  const key = { repositoryId: 42, branch };
  const name = nameEnvironment({ repositoryName: "bench", key });
  return {
    name,
    labels: buildEnvironmentLabels({ name, key }),
    annotations: buildEnvironmentAnnotations({ repository: "acme/bench", key, branch, headSha: "d".repeat(40), expiresAt: "2100-01-01T00:00:00.000Z" }),
    resources: { cpu: "1", memory: "1Gi" },
    egress: ["203.0.113.0/24", "registry.npmjs.org"],
    ttlSeconds: 3600,
  };
}

async function applyWithKubectl(options: { controlPlane: ControlPlane; kubeconfig: string; directory: string; environment: EnvironmentSpec }): Promise<void> {
  const objects = listEnvironmentObjects(buildEnvironmentManifests(options.environment, MANIFEST_OPTIONS));
  const file = join(options.directory, `${options.environment.name}.yaml`);
  await writeFile(file, objects.map((object) => stringify(object)).join("---\n"));
  await run(join(options.controlPlane.binDir, "kubectl"), ["--kubeconfig", options.kubeconfig, "apply", "--server-side", "--force-conflicts", "--field-manager=paddock", "-f", file]);
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  await work();
  return performance.now() - startedAt;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function printTimes(series: Series[]): void {
  console.log("| series | samples | p50 | p95 | max |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const { label, times } of series) {
    const sorted = [...times].sort((left, right) => left - right);
    const cells = [percentile(sorted, 0.5), percentile(sorted, 0.95), sorted.at(-1) ?? Number.NaN].map((value) => `${value.toFixed(1)} ms`);
    console.log(`| ${label} | ${times.length} | ${cells.join(" | ")} |`);
  }
}

function printCalls(calls: ApiCallCounts[], objects: number): void {
  const histogram = new Map<string, number>();
  for (const counts of calls) {
    const key = Object.entries(counts.byVerb).map(([verb, number]) => `${verb} ${number}`).join(", ");
    histogram.set(key, (histogram.get(key) ?? 0) + 1);
  }
  console.log(`| requests per environment (${objects} objects) | environments |`);
  console.log("| --- | ---: |");
  for (const [key, number] of [...histogram.entries()].sort((left, right) => right[1] - left[1])) console.log(`| ${key} | ${number} |`);
}

await main();
