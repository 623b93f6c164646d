import { Worker } from "node:worker_threads";

import type { Logger } from "pino";

import { createDeliveryReceiver, type ParsedDelivery } from "./receive-front-deliveries.ts";
import type { WebhookFrontLimits } from "./webhook-front-limits.ts";
import type { FrontMessage, FrontThreadSettings } from "./webhook-front-messages.ts";
import { WebhookQueueGauge } from "./webhook-queue-gauge.ts";

/** The running front: its public URL, and `close` for shutdown. */
export interface WebhookFront {
  /** `http://<host>:<port>` the public server listens on. */
  url: string;
  /** The thread, for its id in logs and for tests that end it. */
  worker: Worker;
  /** Deliveries acknowledged with 200 and not yet handled by Probot, with their body bytes. */
  gauge: WebhookQueueGauge;
  /**
   * Resolves once every message the front posted so far (deliveries and log lines) reached the
   * main thread, and every delivery among them was handled by Probot.
   */
  drained(): Promise<void>;
  /**
   * Stops accepting: deliveries get 503 and the server stops listening. Resolves once the open
   * connections ended and every accepted delivery was handled, or after `timeoutMs`, and then
   * ends the thread.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Default wait of `close` for connections and queued deliveries. */
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * Starts the webhook front: a worker thread, with its own event loop and heap, that owns the
 * public HTTP server (see webhook-front-thread.ts), so webhook intake does not wait behind the
 * pipeline work on the main thread. Verified deliveries come back to `receive` on the main
 * thread. Every other request, and every request in setup mode (`secret` null), goes to
 * `upstream`, Probot's own server on 127.0.0.1. If the thread fails or exits after it listened,
 * `onFailure` is called: the process must then exit, because no thread accepts webhooks any more.
 */
export async function startWebhookFront(options: {
  host: string;
  port: number;
  path: string;
  secret: string | null;
  upstream: string;
  limits: WebhookFrontLimits;
  logger: Logger;
  receive: (delivery: ParsedDelivery) => Promise<void>;
  onFailure: (error: Error) => void;
}): Promise<WebhookFront> {
  const logger = options.logger.child({ name: "webhook-front" });
  const gauge = new WebhookQueueGauge();
  const settings: FrontThreadSettings = { host: options.host, port: options.port, path: options.path, secret: options.secret, upstream: options.upstream, limits: options.limits, gaugeBuffer: gauge.buffer };
  const worker = createFrontWorker(settings);
  const receiver = createDeliveryReceiver({ gauge, logger, receive: options.receive });

  // 1. Messages from the thread; `closed` settles once the server stopped after a close.
  let listening = false;
  let stopping = false;
  let failed = false;
  let exited = false;
  const fail = (error: Error): void => {
    if (failed) return;
    failed = true;
    options.onFailure(error);
  };
  let markClosed: () => void = () => undefined;
  const pongs = new Map<number, () => void>();
  let pings = 0;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const ready = new Promise<string>((resolve, reject) => {
    worker.on("message", (message: FrontMessage) => {
      if (message.type === "delivery") receiver.receive(message);
      else if (message.type === "log") logger[message.level](message.fields, message.message);
      else if (message.type === "listening") resolve(message.url);
      else if (message.type === "pong") pongs.get(message.id)?.();
      else markClosed();
    });
    worker.on("error", (error) => (listening ? fail(error) : reject(error)));
    worker.on("exit", (code) => {
      exited = true;
      for (const wake of pongs.values()) wake();
      const error = new Error(`the webhook front thread exited with code ${code}`);
      if (!listening) reject(error);
      else if (!stopping) fail(error);
    });
  });

  // 2. Wait until it listens.
  const url = await ready.catch((error: unknown) => {
    throw new Error(`the webhook front could not listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  listening = true;
  logger.info({ url, webhookPath: options.path, threadId: worker.threadId, limits: options.limits, setupMode: options.secret === null }, "webhook front listening");

  return {
    url,
    worker,
    gauge,
    async drained() {
      if (exited) return receiver.drained();
      pings += 1;
      const id = pings;
      await new Promise<void>((resolve) => {
        pongs.set(id, resolve);
        worker.postMessage({ type: "ping", id });
      });
      pongs.delete(id);
      await receiver.drained();
    },
    async close(closeOptions = {}) {
      if (stopping) return;
      stopping = true;
      worker.postMessage({ type: "close" });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeOptions.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS)));
      await Promise.race([closed.then(receiver.drained), timeout]);
      clearTimeout(timer);
      if (gauge.deliveries > 0) logger.warn({ queuedDeliveries: gauge.deliveries }, "webhook front closed with deliveries not yet handled");
      await worker.terminate();
      logger.info({ url }, "webhook front closed");
    },
  };
}

/**
 * Starts the thread from the sources under tsx or vitest (this file is `.ts`), or from
 * `webhook-front.js` beside the bundle, which scripts/generate.ts builds next to dist/app.js.
 * Under Node 20, a worker does not inherit the `--import tsx` hooks, so the source entry first
 * registers tsx inside the thread.
 */
function createFrontWorker(workerData: FrontThreadSettings): Worker {
  const moduleUrl = import.meta.url;
  if (!moduleUrl.endsWith(".ts")) return new Worker(new URL("./webhook-front.js", moduleUrl), { workerData });

  const entry = new URL("./webhook-front-thread.ts", moduleUrl).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const source = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(source, { eval: true, workerData });
}
