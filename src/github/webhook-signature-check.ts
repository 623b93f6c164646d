import type { IncomingMessage, ServerResponse } from "node:http";

import type { Logger } from "pino";

import { matchesWebhookPath, REQUIRED_HEADERS, type WarnLog, type WebhookMiddleware } from "./webhook-body-limit.ts";
import { replyAndDiscardBody } from "./reply-and-discard-body.ts";

/** Status of a delivery rejected for a missing or wrong signature: 401, because the sender did not prove it has the webhook secret. */
export const SIGNATURE_REJECTED_STATUS = 401;

/** The reply body for a wrong signature, with the text @octokit/webhooks 14 sends. */
export const SIGNATURE_MISMATCH_REPLY = '{"error":"Error: [@octokit/webhooks] signature does not match event payload and secret"}';

/** The reply body for a delivery without `x-hub-signature-256`, with the text @octokit/webhooks 14 sends. */
export const SIGNATURE_MISSING_REPLY = '{"error":"Required headers missing: x-hub-signature-256"}';

/** Maximum characters of the delivery id and event name headers copied into a log line. */
export const MAX_LOGGED_HEADER_CHARS = 128;

/** The content types @octokit/webhooks accepts; other bodies get its 415 reply, so they pass through. */
export const JSON_CONTENT_TYPE = /^\s*(application\/json)\s*(?:;|$)/u;

/** Reasons for rejecting a delivery's signature, as logged. */
export const SIGNATURE_REJECTION_REASONS = {
  missing: "x-hub-signature-256 header is missing",
  mismatch: "x-hub-signature-256 does not match the body signed with the webhook secret",
} as const;

/**
 * Wraps Probot's webhook middleware so that a JSON delivery without `x-hub-signature-256`, or
 * whose signature does not match its body, gets 401 with one warn line and never reaches
 * @octokit/webhooks. There, a wrong signature would get 400, and Probot 14.3's onError handler
 * and the middleware would each log it at error level, with its stack and the whole unverified
 * body. Place this wrapper inside `limitWebhookBodies`, because it checks only the string body
 * that wrapper sets. Every other request passes on unchanged.
 */
export function rejectBadWebhookSignatures(
  middleware: WebhookMiddleware,
  options: { path: string; verify: (body: string, signature: string) => Promise<boolean>; log: Pick<Logger, "warn"> },
): WebhookMiddleware {
  const rejections = createSignatureRejectionLog(options.log);

  return async (request: IncomingMessage & { body?: unknown }, response: ServerResponse, next?: Parameters<WebhookMiddleware>[2]) => {
    if (request.method !== "POST" || !matchesWebhookPath(request.url, options.path)) return middleware(request, response, next);
    if (!JSON_CONTENT_TYPE.test(request.headers["content-type"] ?? "")) return middleware(request, response, next);
    const signature = request.headers["x-hub-signature-256"];
    if (signature === undefined) {
      rejections.log({ request, reason: "missing", bodyBytes: undefined });
      replyAndDiscardBody({ request, response, status: SIGNATURE_REJECTED_STATUS, body: SIGNATURE_MISSING_REPLY, headers: { accept: "application/json" } });
      return true;
    }
    const body = request.body;
    if (typeof body !== "string" || typeof signature !== "string") return middleware(request, response, next);
    if (REQUIRED_HEADERS.some((header) => request.headers[header] === undefined)) return middleware(request, response, next);

    // @octokit/webhooks-methods throws on an empty body or signature, and @octokit/webhooks treats that as a mismatch too.
    const valid = await options.verify(body, signature).catch(() => false);
    if (valid) return middleware(request, response, next);

    rejections.log({ request, reason: "mismatch", bodyBytes: Buffer.byteLength(body) });
    response.writeHead(SIGNATURE_REJECTED_STATUS, { "content-type": "application/json", accept: "application/json", "content-length": String(Buffer.byteLength(SIGNATURE_MISMATCH_REPLY)) });
    response.end(SIGNATURE_MISMATCH_REPLY);
    return true;
  };
}

/** Logs one warn line per rejected delivery, with a running count of rejections, and never the body. */
export function createSignatureRejectionLog(log: WarnLog): { log(options: { request: IncomingMessage; reason: keyof typeof SIGNATURE_REJECTION_REASONS; bodyBytes: number | undefined }): void } {
  let rejectedDeliveries = 0;
  return {
    log({ request, reason, bodyBytes }) {
      rejectedDeliveries += 1;
      log.warn(
        {
          deliveryId: truncateHeader(request.headers["x-github-delivery"]),
          event: truncateHeader(request.headers["x-github-event"]),
          remoteAddress: request.socket.remoteAddress,
          ...(bodyBytes === undefined ? {} : { bodyBytes }),
          reason: SIGNATURE_REJECTION_REASONS[reason],
          hint: "if GitHub sent this delivery, set WEBHOOK_SECRET to the GitHub App's webhook secret",
          rejectedDeliveries,
        },
        "webhook delivery with an invalid signature rejected",
      );
    },
  };
}

/** Returns a header's value for a log line, cut to MAX_LOGGED_HEADER_CHARS. */
export function truncateHeader(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(", ") : value;
  if (text === undefined || text.length <= MAX_LOGGED_HEADER_CHARS) return text;
  return `${text.slice(0, MAX_LOGGED_HEADER_CHARS)}…`;
}
