/**
 * Starts the webhook front in this process and prints one JSON line with its URL. A line
 * "crash" on stdin throws an uncaught error on the main thread, so a test can check that the
 * whole process, front thread included, goes down.
 *
 *   node --import tsx test/github/support/front-crash-host.ts <upstream origin>
 */
import pino from "pino";

import { startWebhookFront } from "../../../src/github/start-webhook-front.ts";
import { readWebhookFrontLimits } from "../../../src/github/webhook-front-limits.ts";

const upstream = process.argv[2];
if (!upstream?.startsWith("http://127.0.0.1:")) throw new Error("pass the upstream origin, a http://127.0.0.1 URL, as the first argument");

const front = await startWebhookFront({
  host: "127.0.0.1",
  port: 0,
  path: "/api/github/webhooks",
  secret: "crash-host-secret",
  upstream,
  limits: readWebhookFrontLimits({}),
  logger: pino({ enabled: false }),
  receive: () => Promise.resolve(),
  onFailure: () => process.exit(2),
});
process.stdout.write(`${JSON.stringify({ url: front.url })}\n`);

process.stdin.setEncoding("utf8");
process.stdin.on("data", (text: string) => {
  if (text.includes("crash")) {
    setImmediate(() => {
      throw new Error("simulated crash on the main thread");
    });
  }
});
