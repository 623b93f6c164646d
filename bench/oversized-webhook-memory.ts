/**
 * Measures what an oversized, unsigned webhook body costs Probot's HTTP server in memory before
 * the signature check rejects it: one body of `--mib` MiB is streamed to a stock Probot app on
 * 127.0.0.1, and the process's resident memory is sampled every 20 ms. Paddock's app runs behind
 * the same middleware, which reads the whole body before it verifies the signature.
 *
 *   node --import tsx bench/oversized-webhook-memory.ts [--mib 200]
 */
import { request } from "node:http";
import { parseArgs } from "node:util";

import pino from "pino";

import { startEmptyProbotServer } from "../test/loopback-github/paddock-server.ts";

const { values } = parseArgs({ options: { mib: { type: "string", default: "200" } } });
const mebibytes = Number(values.mib);
if (!Number.isInteger(mebibytes) || mebibytes < 1) throw new Error(`--mib ${values.mib} is invalid: pass a positive whole number`);

// No request reaches the GitHub base URL: the body is rejected before any handler runs.
const server = await startEmptyProbotServer({ baseUrl: "http://127.0.0.1:9", logDestination: pino.destination({ dest: "/dev/null" }) });
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);

const status = await new Promise<number>((resolve, reject) => {
  const headers = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "oversized", "x-hub-signature-256": "sha256=00" };
  const sending = request(server.webhookUrl, { method: "POST", headers }, (response) => {
    response.resume();
    resolve(response.statusCode ?? 0);
  });
  sending.on("error", reject);
  const chunk = Buffer.alloc(1024 * 1024, "a");
  void (async () => {
    for (let sent = 0; sent < mebibytes; sent += 1) {
      if (!sending.write(chunk)) await new Promise((drained) => sending.once("drain", drained));
    }
    sending.end();
  })();
});
clearInterval(sampler);

const toMiB = (bytes: number) => Math.round(bytes / 1024 / 1024);
console.log(`unsigned body of ${mebibytes} MiB: status ${status}, resident memory ${toMiB(before)} MiB before, ${toMiB(peak)} MiB at peak (+${toMiB(peak - before)} MiB), Node ${process.version}`);
await server.stop();
process.exit(0);
