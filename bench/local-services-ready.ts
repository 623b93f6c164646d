/**
 * Measures how long the local provider takes from a pull request event to every service of a
 * two-service stack being ready. Each run parses a recorded pull_request.opened payload, plans
 * the environment from a real git repository's config, and runs the pipeline as `paddock run`
 * does: a checkout of the commit, one bubblewrap sandbox whose supervisor starts `store` (ready
 * on TCP) and then `api` (ready on GET /healthz), and a test step that calls api through
 * PADDOCK_SERVICE_API_URL. Prints p50 and p95 of each phase as a Markdown table.
 *
 *   node --import tsx bench/local-services-ready.ts [--runs 20]
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import { pino } from "pino";

import type { CheckRunView } from "../src/checks/check-run-view.ts";
import { readRepoConfig } from "../src/config/load-repo-config.ts";
import { parseWebhookEvent } from "../src/github/webhook-event.ts";
import { defaultOrgPolicy } from "../src/policy/org-policy-schema.ts";
import { runLocalPipeline } from "../src/service/run-local-pipeline.ts";
import { writeServiceStack } from "../test/providers/local/service-stack.ts";
import { createSampleRepository } from "../test/support/sample-repository.ts";
import { loadWebhookExample } from "../test/support/webhook-examples.ts";
import { formatMs, percentile } from "./percentiles.ts";

const CONFIG = [
  "services:",
  "  - name: store",
  "    image: node:24",
  "    run: exec node store.js",
  "    port: 9090",
  "    env: { STORE_NAME: paddock }",
  "  - name: api",
  "    image: node:24",
  "    run: exec node api.js",
  "    port: 8080",
  "    ready: { http: /healthz }",
  "steps:",
  "  - name: test",
  "    run: node client.js",
  "    timeout: 1m",
  "",
].join("\n");

/** Times of one run, in ms from the moment the event arrived. */
interface RunTimes {
  /** The checkout is ready and the services start. */
  servicesStarting: number;
  /** Every service passed its ready check. */
  allReady: number;
  /** The check run is complete, services stopped. */
  completed: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs} is invalid: pass a positive whole number of runs`);

  const stackDirectory = await mkdtemp(path.join(tmpdir(), "paddock-bench-stack-"));
  await writeServiceStack(stackDirectory);
  const files: Record<string, string> = { ".github/paddock.yml": CONFIG };
  for (const name of ["store.js", "api.js", "client.js"]) files[name] = await readFile(path.join(stackDirectory, name), "utf8");
  const repository = createSampleRepository({ files });
  const stateDir = await mkdtemp(path.join(tmpdir(), "paddock-bench-state-"));
  const payload = loadWebhookExample({ name: "pull_request", action: "opened" });

  console.log(`local services ready: ${runs} runs after 1 warm-up, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, load average ${loadavg().map((value) => value.toFixed(2)).join(" ")}\n`);
  try {
    await runOnce({ payload, repository, stateDir });
    const times: RunTimes[] = [];
    for (let run = 0; run < runs; run += 1) times.push(await runOnce({ payload, repository, stateDir }));

    console.log("| phase | p50 | p95 |");
    console.log("| --- | ---: | ---: |");
    const rows: Array<[string, (entry: RunTimes) => number]> = [
      ["event to services starting (plan, checkout)", (entry) => entry.servicesStarting],
      ["services starting to all ready (sandbox, 2 services)", (entry) => entry.allReady - entry.servicesStarting],
      ["**event to all services ready**", (entry) => entry.allReady],
      ["event to completed check run (test step, stop)", (entry) => entry.completed],
    ];
    for (const [label, pick] of rows) {
      const samples = times.map(pick);
      console.log(`| ${label} | ${formatMs(percentile(samples, 50))} | ${formatMs(percentile(samples, 95))} |`);
    }
    console.log(`\nload average after: ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
    await rm(stackDirectory, { recursive: true, force: true });
    await rm(repository.directory, { recursive: true, force: true });
  }
}

async function runOnce(options: { payload: unknown; repository: { directory: string; sha: string }; stateDir: string }): Promise<RunTimes> {
  const started = performance.now();
  const parsed = parseWebhookEvent({ name: "pull_request", id: "bench", payload: options.payload });
  if (!("event" in parsed) || parsed.event.kind !== "pull_request") throw new Error("the recorded payload is not a pull_request event");
  const lookup = readRepoConfig({ text: await readFile(path.join(options.repository.directory, ".github/paddock.yml"), "utf8") });
  if (lookup.kind !== "valid") throw new Error(`the bench config is invalid: ${JSON.stringify(lookup)}`);

  let servicesStarting: number | undefined;
  let allReady: number | undefined;
  const onProgress = async (view: CheckRunView): Promise<void> => {
    const services = view.services ?? [];
    if (services.length > 0 && servicesStarting === undefined) servicesStarting = performance.now() - started;
    if (services.length > 0 && services.every((service) => service.status === "ready")) allReady ??= performance.now() - started;
  };
  const view = await runLocalPipeline({
    event: parsed.event,
    config: { value: lookup.config, file: lookup.file, locate: lookup.locate },
    policy: defaultOrgPolicy(),
    policySource: { kind: "defaults" },
    repositoryDir: options.repository.directory,
    sha: options.repository.sha,
    stateDir: options.stateDir,
    sandbox: "bwrap",
    notes: [],
    signal: new AbortController().signal,
    logger: pino({ enabled: false }),
    onProgress,
  });
  const completed = performance.now() - started;
  if (view.conclusion !== "success" || servicesStarting === undefined || allReady === undefined) {
    throw new Error(`run ended with ${view.conclusion ?? "no conclusion"}: ${view.headline ?? JSON.stringify(view.services)}`);
  }
  return { servicesStarting, allReady, completed };
}

await main();
