/**
 * Measures webhook intake: the time from a signed pull_request delivery's scheduled send to the
 * 2xx reply (of Paddock's webhook front, or of the stock app's Probot server), at increasing fixed rates. Paddock and a stock Probot app
 * whose handler does nothing are measured side by side in the same run. Each app runs in its own process,
 * started fresh for each rate; a loopback GitHub in a third process takes Paddock's background
 * requests, and each Paddock run builds its one-step pipelines in bubblewrap as deliveries come.
 * Deliveries are real recorded payloads of about 23 KB, each for its own head commit.
 *
 *   node --import tsx bench/webhook-intake.ts [--rates 50,100,200,400,800,1600] [--seconds 10]
 */
import { Agent } from "node:http";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";

import { LOOPBACK_WEBHOOK_SECRET } from "../test/loopback-github/paddock-server.ts";
import { WIDGETS } from "../test/loopback-github/loopback-fixtures.ts";
import { buildPullRequestPayload } from "../test/loopback-github/webhook-payloads.ts";
import { signWebhook, type WebhookDelivery } from "../test/loopback-github/webhook-sender.ts";
import { formatMs, percentile } from "./percentiles.ts";
import { runOpenLoop, type OpenLoopResult } from "./support/open-loop.ts";
import { startReadyChild } from "./support/ready-child.ts";

/** A rate is sustained when every reply is 2xx, replies keep up with 95% of the rate, and the p99 stays under this. */
const SUSTAINED_P99_MS = 250;
const SUSTAINED_SHARE = 0.95;
/** Pull request numbers cycle through the ones the loopback GitHub serves as open. */
const OPEN_PULL_REQUESTS = 1_000;
const WARM_UP_DELIVERIES = 50;
const APPS = ["empty", "paddock"] as const;

const { values } = parseArgs({ options: { rates: { type: "string", default: "50,100,200,400,800,1600" }, seconds: { type: "string", default: "10" } } });
const rates = values.rates.split(",").map(Number);
const seconds = Number(values.seconds);
if (rates.some((rate) => !(rate > 0)) || !(seconds > 0)) throw new Error("pass --rates as positive numbers separated by commas and --seconds as a positive number");

// A payload with markers where each delivery's pull request number and head commit go.
const NUMBER_MARKER = 987_654_321;
const SHA_MARKER = "f".repeat(40);
const template = JSON.stringify(buildPullRequestPayload({ action: "synchronize", ...WIDGETS, number: NUMBER_MARKER, headSha: SHA_MARKER }));
let deliveryCount = 0;

function makeDelivery(): WebhookDelivery {
  deliveryCount += 1;
  const body = template.replaceAll(String(NUMBER_MARKER), String(1 + (deliveryCount % OPEN_PULL_REQUESTS))).replaceAll(SHA_MARKER, deliveryCount.toString(16).padStart(40, "0"));
  return { name: "pull_request", id: `intake-${deliveryCount}`, body, signature: signWebhook(LOOPBACK_WEBHOOK_SECRET, body) };
}

async function measure(app: (typeof APPS)[number], rate: number, githubUrl: string): Promise<OpenLoopResult> {
  const target = await startReadyChild<{ webhookUrl: string }>(new URL("./support/intake-target.ts", import.meta.url).pathname, ["--app", app, "--github", githubUrl]);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  try {
    await runOpenLoop({ url: target.ready.webhookUrl, ratePerSecond: 25, seconds: WARM_UP_DELIVERIES / 25, agent, makeDelivery });
    return await runOpenLoop({ url: target.ready.webhookUrl, ratePerSecond: rate, seconds, agent, makeDelivery });
  } finally {
    agent.destroy();
    await target.stop();
  }
}

function isSustained(result: OpenLoopResult): boolean {
  return result.failed === 0 && result.achievedPerSecond >= SUSTAINED_SHARE * result.offeredPerSecond && percentile(result.latenciesMs, 99) <= SUSTAINED_P99_MS;
}

// 1. The loopback GitHub, then each rate for both apps, alternating which goes first.
const github = await startReadyChild<{ baseUrl: string }>(new URL("./support/github-process.ts", import.meta.url).pathname);
console.log(`webhook intake: ${seconds} s per rate, payload ${Buffer.byteLength(template)} bytes, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), load average ${loadavg()[0]!.toFixed(1)} at start, Node ${process.version}\n`);
console.log("| offered/s | app | p50 | p99 | max | achieved/s | failed | sustained |");
console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
const sustained: Record<string, number> = { empty: 0, paddock: 0 };
try {
  for (const [position, rate] of rates.entries()) {
    const order = position % 2 === 0 ? APPS : [...APPS].reverse();
    for (const app of order) {
      const result = await measure(app, rate, github.ready.baseUrl);
      const ok = isSustained(result);
      if (ok) sustained[app] = Math.max(sustained[app] ?? 0, rate);
      const cells = [percentile(result.latenciesMs, 50), percentile(result.latenciesMs, 99), Math.max(...result.latenciesMs)].map(formatMs);
      console.log(`| ${rate} | ${app} | ${cells.join(" | ")} | ${result.achievedPerSecond.toFixed(0)} | ${result.failed} | ${ok ? "yes" : "no"} |`);
    }
  }
} finally {
  await github.stop();
}

// 2. The highest sustained rate of each, and Paddock's as a share of the empty app's.
console.log(`\nhighest sustained rate: empty app ${sustained.empty}/s, Paddock ${sustained.paddock}/s (${sustained.empty ? ((100 * (sustained.paddock ?? 0)) / sustained.empty).toFixed(0) : "n/a"}% of the empty app's), load average ${loadavg()[0]!.toFixed(1)} at the end`);
