/**
 * Measures the time from a webhook reaching Paddock's HTTP server to Paddock's request that
 * creates the in_progress check run, over loopback: the real Probot server and app on
 * 127.0.0.1, a loopback GitHub, signed pull_request deliveries sent one after another.
 *
 *   node --import tsx bench/webhook-to-check-run.ts [--deliveries 300] [--throttle --interval-ms 2500]
 *
 * By default Octokit's throttling is off, so the figure is Paddock's own path. With --throttle,
 * Probot's default throttling spaces writes one second apart, as GitHub asks of content-creating
 * requests, and deliveries are sent --interval-ms apart.
 */
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createPaddockApp } from "../app/paddock-app.ts";
import { createLocalProvider } from "../src/providers/local/local-provider.ts";
import { createFileGovernance } from "../src/service/create-governance.ts";
import { createPaddockService } from "../src/service/paddock-service.ts";
import { startLoopbackGitHub } from "./loopback-github.ts";
import { formatMs, percentile } from "./percentiles.ts";

const { values } = parseArgs({
  options: { deliveries: { type: "string", default: "300" }, throttle: { type: "boolean", default: false }, "interval-ms": { type: "string", default: "0" } },
});
const deliveries = Number(values.deliveries);
const intervalMs = Number(values["interval-ms"]);
// A defaults function runs after Probot merges its own throttle options, so it has the last word.
const BenchOctokit = values.throttle
  ? ProbotOctokit
  : ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { ...(options.throttle as object), enabled: false } }));
const SECRET = "benchmark-secret";

// 1. The loopback GitHub and Paddock's server on free loopback ports.
const github = await startLoopbackGitHub();
const logger = pino({ level: "silent" });
const benchStateDir = mkdtempSync(join(tmpdir(), "paddock-bench-"));
const service = createPaddockService({ provider: createLocalProvider({ stateDir: benchStateDir, logger }), logger, governance: createFileGovernance({ stateDir: benchStateDir }) });
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const server = new Server({
  host: "127.0.0.1",
  port: 0,
  log: logger,
  Probot: Probot.defaults({
    appId: 1,
    privateKey,
    secret: SECRET,
    baseUrl: github.baseUrl,
    log: logger,
    Octokit: BenchOctokit,
  }),
});
await server.load(createPaddockApp({ service }));
const http = await server.start();
const address = http.address();
const port = typeof address === "object" && address ? address.port : 0;

// 2. A recorded payload; each delivery gets its own pull request number and head SHA.
const examples = JSON.parse(readFileSync("node_modules/@octokit/webhooks-examples/api.github.com/index.json", "utf8")) as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const template = examples.find((entry) => entry.name === "pull_request")!.examples.find((example) => example.action === "opened" && example.installation)!;

const latencies: number[] = [];
for (let index = 0; index < deliveries; index += 1) {
  const payload = structuredClone(template) as { pull_request: { number: number; head: { sha: string } } };
  payload.pull_request.number = 10_000 + index;
  payload.pull_request.head.sha = index.toString(16).padStart(40, "0");
  const body = JSON.stringify(payload);
  const before = github.calls.filter((call) => call.method === "POST" && call.path.endsWith("/check-runs")).length;

  const sentAt = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": `bench-${index}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  if (response.status >= 300) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  while (github.calls.filter((call) => call.method === "POST" && call.path.endsWith("/check-runs")).length === before) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  const created = github.calls.filter((call) => call.method === "POST" && call.path.endsWith("/check-runs")).at(-1)!;
  latencies.push(created.receivedAt - sentAt);
  if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
await service.onIdle();

// 3. Report; the first delivery also mints the installation token, so it is reported apart.
const [first, ...rest] = latencies;
console.log(`deliveries: ${deliveries}, throttling: ${values.throttle ? "on" : "off"}, interval: ${intervalMs} ms`);
console.log(`first delivery (includes the token mint): ${formatMs(first!)}`);
console.log(`webhook sent -> in_progress check run request: p50 ${formatMs(percentile(rest, 50))}, p95 ${formatMs(percentile(rest, 95))}, max ${formatMs(Math.max(...rest))}`);
await server.stop();
await github.close();
