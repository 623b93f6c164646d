import type { IncomingMessage, ServerResponse } from "node:http";

import type { Logger } from "pino";

import { matchesWebhookPath, REQUIRED_HEADERS, type WebhookMiddleware } from "./webhook-body-limit.ts";

/**
 * The reply @octokit/webhooks 14 sends for a wrong signature, kept byte for byte so that
 * senders see no change when Paddock rejects the delivery first.
 */
export const SIGNATURE_MISMATCH_REPLY = '{"error":"Error: [@octokit/webhooks] signature does not match event payload and secret"}';

/** Maximum characters of the delivery id and event name headers copied into a log line. */
export const MAX_LOGGED_HEADER_CHARS = 128;

/** The content types @octokit/webhooks accepts; other bodies get its 415 reply, so they pass through. */
const JSON_CONTENT_TYPE = /^\s*(application\/json)\s*(?:;|$)/u;

/**
 * Wraps Probot's webhook middleware so that a delivery whose `x-hub-signature-256` does not
 * match its body gets the usual 400 reply with one warn line and never reaches
 * @octokit/webhooks. There, Probot 14.3's onError handler and the middleware would each log
 * the error at error level, with its stack and the whole unverified body. Place this wrapper
 * inside `limitWebhookBodies`, because it checks only the string body that wrapper sets. Every
 * other request passes on unchanged.
 */
export function rejectBadWebhookSignatures(
  middleware: WebhookMiddleware,
  options: { path: string; verify: (body: string, signature: string) => Promise<boolean>; log: Pick<Logger, "warn"> },
): WebhookMiddleware {
  let rejectedDeliveries = 0;

  return async (request: IncomingMessage & { body?: unknown }, response: ServerResponse, next?: Parameters<WebhookMiddleware>[2]) => {
    if (request.method !== "POST" || !matchesWebhookPath(request.url, options.path)) return middleware(request, response, next);
    const body = request.body;
    const signature = request.headers["x-hub-signature-256"];
    if (typeof body !== "string" || typeof signature !== "string") return middleware(request, response, next);
    if (REQUIRED_HEADERS.some((header) => request.headers[header] === undefined)) return middleware(request, response, next);
    if (!JSON_CONTENT_TYPE.test(request.headers["content-type"] ?? "")) return middleware(request, response, next);

    // @octokit/webhooks-methods throws on an empty body or signature, and @octokit/webhooks treats that as a mismatch too.
    const valid = await options.verify(body, signature).catch(() => false);
    if (valid) return middleware(request, response, next);

    rejectedDeliveries += 1;
    options.log.warn(
      {
        deliveryId: truncateHeader(request.headers["x-github-delivery"]),
        event: truncateHeader(request.headers["x-github-event"]),
        remoteAddress: request.socket.remoteAddress,
        bodyBytes: Buffer.byteLength(body),
        reason: "x-hub-signature-256 does not match the body signed with the webhook secret",
        hint: "if GitHub sent this delivery, set WEBHOOK_SECRET to the GitHub App's webhook secret",
        rejectedDeliveries,
      },
      "webhook delivery with an invalid signature rejected",
    );
    response.writeHead(400, { "content-type": "application/json", accept: "application/json", "content-length": String(Buffer.byteLength(SIGNATURE_MISMATCH_REPLY)) });
    response.end(SIGNATURE_MISMATCH_REPLY);
    return true;
  };
}

function truncateHeader(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(", ") : value;
  if (text === undefined || text.length <= MAX_LOGGED_HEADER_CHARS) return text;
  return `${text.slice(0, MAX_LOGGED_HEADER_CHARS)}…`;
}
