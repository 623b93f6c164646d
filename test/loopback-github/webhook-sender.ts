import { createHmac } from "node:crypto";
import { request as httpRequest, type Agent } from "node:http";
import { performance } from "node:perf_hooks";

/** One webhook delivery as GitHub sends it. */
export interface WebhookDelivery {
  /** The `x-github-event` header, e.g. `pull_request`. */
  name: string;
  /** The `x-github-delivery` header. */
  id: string;
  /** Serialized as JSON unless `body` is given. */
  payload?: unknown;
  /** The exact bytes to send, for bodies that are not a serialized payload. */
  body?: string | Buffer;
  /** Secret the body is signed with; the signature header is left out when both this and `signature` are missing. */
  secret?: string;
  /** Sent as `x-hub-signature-256` instead of the computed one; null leaves the header out. */
  signature?: string | null;
}

/** The app's reply to one delivery. */
export interface WebhookReply {
  status: number;
  text: string;
  /** Time from the request start to the end of the reply, in ms. */
  durationMs: number;
}

/** Returns GitHub's `x-hub-signature-256` value for a body: `sha256=` and the HMAC-SHA256 in hex. */
export function signWebhook(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * Sends one delivery to the app's webhook URL over HTTP and resolves with its reply. Only
 * loopback URLs are accepted, so a mistyped URL never sends a payload off the machine.
 */
export function sendWebhook(options: { url: string; delivery: WebhookDelivery; agent?: Agent; timeoutMs?: number }): Promise<WebhookReply> {
  const { url, delivery } = options;
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1" && target.hostname !== "[::1]") throw new Error(`webhook URL ${url} is not on loopback: use 127.0.0.1 or [::1]`);

  const body = delivery.body ?? JSON.stringify(delivery.payload);
  let signature = delivery.signature ?? null;
  if (delivery.signature === undefined && delivery.secret !== undefined) signature = signWebhook(delivery.secret, body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "user-agent": "GitHub-Hookshot/loopback",
    "x-github-event": delivery.name,
    "x-github-delivery": delivery.id,
    ...(signature === null ? {} : { "x-hub-signature-256": signature }),
  };

  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = httpRequest(target, { method: "POST", headers, agent: options.agent, timeout: options.timeoutMs ?? 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), durationMs: performance.now() - started }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`webhook ${delivery.id} got no reply within ${options.timeoutMs ?? 30_000} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}
