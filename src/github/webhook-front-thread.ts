/**
 * Entry of the webhook front thread (see start-webhook-front.ts). It owns the public HTTP
 * server: POSTs to the webhook path are checked and replied to here (webhook-front-handler.ts),
 * and every other request goes to Probot's own server on 127.0.0.1. It imports only Node's
 * modules and the small front files, so the thread's heap stays small.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";

import { createForwarder } from "./forward-request.ts";
import { WebhookAdmission, type FrontLog } from "./webhook-admission.ts";
import { matchesWebhookPath } from "./webhook-body-limit.ts";
import { createWebhookRoute } from "./webhook-front-handler.ts";
import type { FrontCommand, FrontLogLine, FrontMessage, FrontThreadSettings } from "./webhook-front-messages.ts";
import { WebhookQueueGauge } from "./webhook-queue-gauge.ts";

if (!parentPort) throw new Error("webhook-front-thread.ts runs only as a worker thread: start it with startWebhookFront");
const port = parentPort;
const settings = workerData as FrontThreadSettings;
const post = (message: FrontMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const logAt = (level: FrontLogLine["level"]) => (fields: Record<string, unknown>, message: string) => post({ type: "log", level, fields, message });
const log: FrontLog = { info: logAt("info"), warn: logAt("warn") };

// 1. The webhook route and the forwarder for everything else.
let closing = false;
const gauge = new WebhookQueueGauge(settings.gaugeBuffer);
const forwarder = createForwarder({ upstream: new URL(settings.upstream), log });
const webhookRoute =
  settings.secret === null
    ? undefined
    : createWebhookRoute({
        secret: settings.secret,
        maxBodyBytes: settings.limits.maxBodyBytes,
        admission: new WebhookAdmission({ limits: settings.limits, gauge, log }),
        gauge,
        log,
        isClosing: () => closing,
        deliver: ({ id, name, body }) => {
          const bytes = ownArrayBuffer(body);
          post({ type: "delivery", id, name, body: bytes }, [bytes]);
        },
      });

function handle(request: IncomingMessage, response: ServerResponse): void {
  if (webhookRoute && request.method === "POST" && matchesWebhookPath(request.url, settings.path)) void webhookRoute(request, response);
  else forwarder.forward(request, response);
}

// 2. The server; a failure to listen ends the thread with that error, which startWebhookFront reports.
const server = createServer(handle);
server.listen({ host: settings.host, port: settings.port }, () => {
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  post({ type: "listening", url: `http://${host}:${address.port}` });
});
server.on("error", (error) => {
  throw error;
});

/** Time connections still open at close may finish their requests before they are cut. */
const CLOSE_GRACE_MS = 5_000;

// 3. On close: reply 503 to deliveries, stop accepting connections, and report once the last one ended.
port.on("message", (command: FrontCommand) => {
  if (command.type === "ping") return post({ type: "pong", id: command.id });
  if (closing) return;
  closing = true;
  server.close(() => {
    forwarder.close();
    post({ type: "closed" });
  });
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
});

/** Returns an ArrayBuffer holding exactly the buffer's bytes, copying only when the buffer shares its memory with others (Node's pool). */
function ownArrayBuffer(buffer: Buffer): ArrayBuffer {
  const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
  return (whole ? buffer.buffer : buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)) as ArrayBuffer;
}
