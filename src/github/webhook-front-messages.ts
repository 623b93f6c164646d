import type { WebhookFrontLimits } from "./webhook-front-limits.ts";

/** Settings the main thread passes to the front thread as `workerData`. */
export interface FrontThreadSettings {
  /** Host and port of the public HTTP server; port 0 takes a free one. */
  host: string;
  port: number;
  /** The webhook path, Probot's `webhookPath`. */
  path: string;
  /** The webhook secret, or null in Probot's setup mode, where every request goes to Probot. */
  secret: string | null;
  /** Origin of Probot's own HTTP server on 127.0.0.1, which serves every other request. */
  upstream: string;
  limits: WebhookFrontLimits;
  /** The `WebhookQueueGauge` memory both threads count the backlog in. */
  gaugeBuffer: SharedArrayBuffer;
}

/** One verified delivery. `body` contains the raw bytes, transferred rather than copied. */
export interface FrontDelivery {
  type: "delivery";
  id: string;
  name: string;
  body: ArrayBuffer;
}

/** A log line from the front thread, written on the main thread with the app's logger. */
export interface FrontLogLine {
  type: "log";
  level: "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

/** Messages from the front thread to the main thread. */
export type FrontMessage = FrontDelivery | FrontLogLine | { type: "listening"; url: string } | { type: "closed" } | { type: "pong"; id: number };

/**
 * Messages from the main thread to the front thread: stop accepting deliveries and close the
 * server, or reply to a ping. Messages on a port arrive in order, so the pong comes after every
 * message the front posted before it read the ping.
 */
export type FrontCommand = { type: "close" } | { type: "ping"; id: number };
