import type { IncomingMessage, ServerResponse } from "node:http";

import type { Logger } from "pino";
import type { Probot } from "probot";

import { readBodyWithin } from "./read-body-within.ts";
import { replyAndDiscardBody } from "./reply-and-discard-body.ts";

/**
 * Default maximum webhook body: 25 MiB (26,214,400 bytes). GitHub caps webhook payloads at
 * 25 MB and drops larger events, so no delivery from GitHub reaches this limit.
 */
export const DEFAULT_WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

/** Environment variable that sets the maximum webhook body in bytes. */
export const WEBHOOK_MAX_BYTES_VARIABLE = "PADDOCK_WEBHOOK_MAX_BYTES";

/** The one logging call the webhook guards make; a pino logger fits, and so does the front thread's forwarder. */
export interface WarnLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Headers without which @octokit/webhooks rejects a delivery before it reads the body. */
export const REQUIRED_HEADERS = ["x-github-event", "x-hub-signature-256", "x-github-delivery"];

/** The Node middleware that `Probot.getNodeMiddleware` returns; it resolves true when it sent the response. */
export type WebhookMiddleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/** Reads PADDOCK_WEBHOOK_MAX_BYTES, or returns the default when it is unset or empty. */
export function readWebhookMaxBytes(env: NodeJS.ProcessEnv): number {
  const text = env[WEBHOOK_MAX_BYTES_VARIABLE];
  if (text === undefined || text === "") return DEFAULT_WEBHOOK_MAX_BYTES;
  const bytes = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new Error(`${WEBHOOK_MAX_BYTES_VARIABLE}=${text} is invalid: set a whole number of bytes, 1 or more (the default is ${DEFAULT_WEBHOOK_MAX_BYTES})`);
  }
  return bytes;
}

/**
 * Wraps Probot's webhook middleware so that a POST to the webhook path never buffers more than
 * `maxBytes`. A declared Content-Length over the limit is rejected with 413 before any byte of
 * the body is read, and a body that streams past the limit is rejected as soon as it does.
 * A request without the webhook headers goes straight to the middleware, which rejects it with
 * 400 without reading the body. Only a body within the limit reaches JSON parsing and the
 * signature check, as the string the middleware reads instead of the stream.
 */
export function limitWebhookBodies(middleware: WebhookMiddleware, options: { path: string; maxBytes: number; log: Pick<Logger, "warn"> }): WebhookMiddleware {
  return async (request: IncomingMessage, response: ServerResponse, next?: Parameters<WebhookMiddleware>[2]) => {
    if (request.method !== "POST" || !matchesWebhookPath(request.url, options.path)) return middleware(request, response, next);
    if (REQUIRED_HEADERS.some((header) => request.headers[header] === undefined)) return middleware(request, response, next);

    const declared = request.headers["content-length"];
    if (declared !== undefined && Number(declared) > options.maxBytes) {
      rejectTooLarge({ request, response, maxBytes: options.maxBytes, log: options.log, receivedBytes: 0 });
      return true;
    }

    const body = await readBodyWithin(request, options.maxBytes);
    if (!body.complete) {
      rejectTooLarge({ request, response, maxBytes: options.maxBytes, log: options.log, receivedBytes: body.receivedBytes });
      return true;
    }
    // @octokit/webhooks reads a string body instead of the stream, as it does behind Express.
    (request as IncomingMessage & { body?: string }).body = new TextDecoder("utf-8", { fatal: false }).decode(body.data);
    return middleware(request, response, next);
  };
}

/**
 * Sends 413 and logs one warn line, then reads and drops the rest of the body (see
 * `replyAndDiscardBody`).
 */
export function rejectTooLarge(options: { request: IncomingMessage; response: ServerResponse; maxBytes: number; receivedBytes: number; log: WarnLog }): void {
  const { request, response, maxBytes } = options;
  options.log.warn(
    { deliveryId: request.headers["x-github-delivery"], event: request.headers["x-github-event"], contentLength: request.headers["content-length"], receivedBytes: options.receivedBytes, maxBytes },
    "webhook body over the size limit rejected",
  );
  // Below the default, a real GitHub delivery can exceed the limit, so the reply says only what the limit is.
  const error =
    maxBytes >= DEFAULT_WEBHOOK_MAX_BYTES
      ? `webhook body is larger than ${maxBytes} bytes: GitHub caps webhook payloads at 25 MB, so this request did not come from GitHub. Set ${WEBHOOK_MAX_BYTES_VARIABLE} to change the limit`
      : `webhook body is larger than ${maxBytes} bytes, the limit ${WEBHOOK_MAX_BYTES_VARIABLE} sets. Raise it to accept deliveries up to GitHub's cap of 25 MB`;
  replyAndDiscardBody({ request, response, status: 413, body: JSON.stringify({ error }) });
}

/**
 * Tests whether a request URL is on `webhookPath`, comparing paths the way @octokit/webhooks
 * does, so both match the same requests. Trailing slashes in `webhookPath` are ignored.
 */
export function matchesWebhookPath(url: string | undefined, webhookPath: string): boolean {
  try {
    return new URL(stripTrailingSlashes(url ?? ""), "http://localhost").pathname === stripTrailingSlashes(webhookPath);
  } catch {
    return false;
  }
}

function stripTrailingSlashes(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}
