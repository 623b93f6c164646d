/**
 * Counts the Kubernetes API requests of one environment with a full stack, on a test control
 * plane that this script starts. Each environment builds one image in the build namespace, starts
 * two services (one from the built image, one external), exposes a preview, runs one test step
 * and is torn down. kwok plays
 * the kubelet, so the build "pushes" a fixed digest and no container runs; the counts are those
 * of a real cluster where every request succeeds the first time. Environments run one after
 * another. Prints Markdown tables.
 *
 *   node --import tsx bench/kubernetes-services.ts [--environments N]
 */
import { createHash } from "node:crypto";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import { CoreV1Api } from "@kubernetes/client-node";

import { buildEnvironmentAnnotations, buildEnvironmentLabels } from "../src/environments/environment-labels.ts";
import { nameEnvironment } from "../src/environments/environment-name.ts";
import type { ApiCallCounts } from "../src/providers/kubernetes/api-call-counter.ts";
import { createKubernetesProvider } from "../src/providers/kubernetes/kubernetes-provider.ts";
import type { EnvironmentSpec, SourceSpec } from "../src/providers/provider.ts";
import { startControlPlane } from "../test/cluster/control-plane.ts";

const BUILD_NAMESPACE = "paddock-builds";
const REGISTRY = "registry.paddock.invalid/paddock";

interface Sample {
  prepareMs: number;
  prepare: ApiCallCounts;
  step: ApiCallCounts;
  teardown: ApiCallCounts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { environments: { type: "string", default: "10" } } });
  const count = Number(values.environments);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--environments ${values.environments} is invalid: pass a positive whole number`);

  const controlPlane = await startControlPlane();
  try {
    const core = controlPlane.kubeConfig("admin").makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: BUILD_NAMESPACE, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } } });
    const provider = createKubernetesProvider({
      kubeConfig: controlPlane.kubeConfig("admin"),
      buildPodAnnotations: (image) => ({ "paddock.test/termination-message": `sha256:${createHash("sha256").update(image.name).digest("hex")}` }),
    });
    console.log(`kubernetes services: ${count} environments, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}\n`);

    const samples: Sample[] = [];
    for (let index = 0; index < count; index += 1) {
      const environment = buildEnvironment(`bench-${index}`);
      const startedAt = performance.now();
      const prepared = await provider.prepare({ environment, source: SOURCE, signal: new AbortController().signal });
      const started = await provider.startServices({ prepared, services: environment.stack?.services ?? [], signal: new AbortController().signal });
      if (!started.ready) throw new Error(`services of ${environment.name} were not ready: ${JSON.stringify(started.services)}`);
      const prepareMs = performance.now() - startedAt;
      const prepare = provider.takeApiCalls(environment.name);
      await provider.runStep({ prepared, step: { name: "e2e", run: "npm run e2e", timeoutSeconds: 60, env: {} }, signal: new AbortController().signal });
      const step = provider.takeApiCalls(environment.name);
      await provider.teardown({ environmentName: environment.name });
      samples.push({ prepareMs, prepare, step, teardown: provider.takeApiCalls(environment.name) });
    }
    printSamples(samples);
  } finally {
    await controlPlane.stop();
  }
}

const SOURCE: SourceSpec = {
  kind: "tarball",
  sha: "d".repeat(40),
  open: () => Promise.reject(new Error("not used")),
  credential: { url: "https://tarball.invalid/x.tar.gz", token: "unused", expiresAt: "2100-01-01T00:00:00Z" },
};

function buildEnvironment(branch: string): EnvironmentSpec {
  const key = { repositoryId: 42, branch };
  const name = nameEnvironment({ repositoryName: "bench", key });
  const service = { port: 8080, ready: { http: "/healthz" }, env: {}, timeoutSeconds: 120 };
  return {
    name,
    labels: buildEnvironmentLabels({ name, key }),
    annotations: buildEnvironmentAnnotations({ repository: "acme/bench", key, branch, headSha: "d".repeat(40), expiresAt: "2100-01-01T00:00:00.000Z" }),
    resources: { cpu: "1", memory: "1Gi" },
    egress: [],
    ttlSeconds: 3600,
    stack: {
      images: [{ name: "web", context: ".", dockerfile: "Dockerfile", args: {}, repository: `${REGISTRY}/acme/bench/web`, tag: "d".repeat(40), cacheRef: `${REGISTRY}/acme/bench/cache` }],
      services: [
        { name: "web", image: "web", builtImage: "web", ...service },
        { name: "db", image: "docker.io/library/postgres:16", ...service, port: 5432, ready: { tcp: 5432 } },
      ],
      expose: { service: "web", port: 8080, host: `${name}.preview.paddock.invalid` },
      build: { namespace: BUILD_NAMESPACE },
      deploySteps: false,
    },
  };
}

function describeCounts(counts: ApiCallCounts): string {
  return Object.entries(counts.byVerb)
    .map(([verb, number]) => `${verb} ${number}`)
    .join(", ");
}

function printSamples(samples: Sample[]): void {
  console.log("| phase | requests (total) | writes | by verb | environments |");
  console.log("| --- | ---: | ---: | --- | ---: |");
  for (const phase of ["prepare", "step", "teardown"] as const) {
    const histogram = new Map<string, { counts: ApiCallCounts; environments: number }>();
    for (const sample of samples) {
      const counts = sample[phase];
      const key = describeCounts(counts);
      const entry = histogram.get(key) ?? { counts, environments: 0 };
      entry.environments += 1;
      histogram.set(key, entry);
    }
    const label = phase === "prepare" ? "prepare and startServices" : phase;
    for (const [key, { counts, environments }] of histogram) console.log(`| ${label} | ${counts.total} | ${counts.writes} | ${key} | ${environments} |`);
  }
  const times = samples.map((sample) => sample.prepareMs).sort((left, right) => left - right);
  console.log(`\nprepare and startServices (build, services ready, preview) p50 ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms on kwok`);
}

await main();
