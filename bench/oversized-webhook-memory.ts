/**
 * Measures what an oversized, unsigned webhook body costs the app's HTTP server in memory: one
 * body of `--mib` MiB is streamed to the app on 127.0.0.1, and the process's resident memory is
 * sampled every 20 ms. `--target paddock` (the default) runs Paddock's app, which answers 413
 * once the body passes its 25 MiB limit; `--target stock` runs a stock Probot app, whose
 * middleware reads the whole body before it verifies the signature. `--requests` bodies are sent
 * at once. `--declare-length` sends a Content-Length, as GitHub does, instead of chunks.
 *
 *   node --import tsx bench/oversized-webhook-memory.ts [--mib 200] [--target paddock|stock] [--requests 1] [--declare-length]
 */
import { request } from "node:http";
import { parseArgs } from "node:util";

import pino from "pino";

import { startEmptyProbotServer, startPaddockServer } from "../test/loopback-github/paddock-server.ts";

const { values } = parseArgs({ options: { mib: { type: "string", default: "200" }, target: { type: "string", default: "paddock" }, requests: { type: "string", default: "1" }, "declare-length": { type: "boolean", default: false } } });
const mebibytes = Number(values.mib);
const requests = Number(values.requests);
if (!Number.isInteger(requests) || requests < 1) throw new Error(`--requests ${values.requests} is invalid: pass a positive whole number`);
if (!Number.isInteger(mebibytes) || mebibytes < 1) throw new Error(`--mib ${values.mib} is invalid: pass a positive whole number`);
if (values.target !== "paddock" && values.target !== "stock") throw new Error(`--target ${values.target} is invalid: pass paddock or stock`);

// No request reaches the GitHub base URL: the body is rejected before any handler runs.
const serverOptions = { baseUrl: "http://127.0.0.1:9", logDestination: pino.destination({ dest: "/dev/null" }) };
const server = values.target === "paddock" ? await startPaddockServer(serverOptions) : await startEmptyProbotServer(serverOptions);
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);

/** Streams one unsigned body of `mebibytes` MiB and resolves with the reply's status once the upload ended. */
function sendOversized(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let status = 0;
    const headers = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "oversized", "x-hub-signature-256": "sha256=00", ...(values["declare-length"] ? { "content-length": String(mebibytes * 1024 * 1024) } : {}) };
    let received = false;
    const sending = request(server.webhookUrl, { method: "POST", headers }, (response) => {
      received = true;
      status = response.statusCode ?? 0;
      response.resume();
    });
    // Paddock destroys the connection of a body still sent 2 s after its reply; the reply came first.
    sending.on("error", (error) => (received ? undefined : reject(error)));
    // Memory is sampled until the upload ends, since a server could keep reading after its reply.
    sending.on("close", () => (received ? resolve(status) : undefined));
    const chunk = Buffer.alloc(1024 * 1024, "a");
    void (async () => {
      for (let sent = 0; sent < mebibytes && !sending.destroyed; sent += 1) {
        if (!sending.write(chunk)) await new Promise((drained) => sending.once("drain", drained));
      }
      if (!sending.destroyed) sending.end();
    })();
  });
}

const statuses = await Promise.all(Array.from({ length: requests }, () => sendOversized()));
clearInterval(sampler);

const toMiB = (bytes: number) => Math.round(bytes / 1024 / 1024);
console.log(`${values.target} app, ${requests} concurrent unsigned bodies of ${mebibytes} MiB${values["declare-length"] ? " with a Content-Length" : ""}: statuses ${[...new Set(statuses)].join(", ")}, resident memory ${toMiB(before)} MiB before, ${toMiB(peak)} MiB at peak (+${toMiB(peak - before)} MiB), Node ${process.version}`);
await server.stop();
process.exit(0);
