import type { IncomingMessage, ServerResponse } from "node:http";

import { readBodyWithin } from "./read-body-within.ts";
import { replyAndDiscardBody } from "./reply-and-discard-body.ts";
import type { FrontLog, WebhookAdmission } from "./webhook-admission.ts";
import { rejectTooLarge } from "./webhook-body-limit.ts";
import { createSignatureRejectionLog, JSON_CONTENT_TYPE, SIGNATURE_MISMATCH_REPLY, SIGNATURE_MISSING_REPLY, SIGNATURE_REJECTED_STATUS } from "./webhook-signature-check.ts";
import { verifyWebhookSignature } from "./verify-webhook-signature.ts";
import type { WebhookQueueGauge } from "./webhook-queue-gauge.ts";

/** The reply to an accepted delivery, byte for byte what @octokit/webhooks 14 sends once its handlers finished. */
export const ACCEPTED_REPLY = "ok\n";

/** The 503 body while the process shuts down. */
export const SHUTTING_DOWN_REPLY = JSON.stringify({ error: "Paddock is shutting down and accepts no deliveries: redeliver this delivery to another replica or after the restart" });

/** The 415 body, with the text @octokit/webhooks 14 sends. */
const UNSUPPORTED_CONTENT_TYPE_REPLY = JSON.stringify({ error: 'Unsupported "Content-Type" header value. Must be "application/json"' });

/** Headers besides the signature without which no delivery is read. */
const ROUTING_HEADERS = ["x-github-event", "x-github-delivery"] as const;

/** Everything the webhook route of the front needs, built once per thread. */
export interface WebhookRoute {
  secret: string;
  maxBodyBytes: number;
  admission: WebhookAdmission;
  gauge: WebhookQueueGauge;
  log: FrontLog;
  isClosing(): boolean;
  /** Hands a verified delivery to the main thread; the gauge already counts it. */
  deliver(delivery: { id: string; name: string; body: Buffer }): void;
}

/** Builds the handler for POSTs to the webhook path (see `handleDelivery`). */
export function createWebhookRoute(route: WebhookRoute): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const rejections = createSignatureRejectionLog(route.log);
  return (request, response) => handleDelivery({ route, rejections, request, response });
}

/**
 * Replies to one POST to the webhook path. In this order, before reading any of the body: 503
 * while shutting down, 415 for a body that is not JSON, 401 without a signature, 400 without
 * the event or delivery id header, 413 for a declared length over the limit, and 503 when the
 * backlog or the read budget is full. Then it reads at most the size limit (413 past it), checks the
 * HMAC (401 on a mismatch), checks the backlog again with the real size, counts the delivery in
 * the gauge, hands it over and replies 200 at once.
 */
async function handleDelivery(options: { route: WebhookRoute; rejections: ReturnType<typeof createSignatureRejectionLog>; request: IncomingMessage; response: ServerResponse }): Promise<void> {
  const { route, request, response } = options;
  const reject = (status: number, body: string, headers?: Record<string, string>): void => replyAndDiscardBody({ request, response, status, body, headers: { accept: "application/json", ...headers } });
  const replyRead = (status: number, body: string): void => void response.writeHead(status, { "content-type": "application/json", accept: "application/json", "content-length": String(Buffer.byteLength(body)) }).end(body);

  // 1. Checks on the headers alone.
  if (route.isClosing()) return reject(503, SHUTTING_DOWN_REPLY, { connection: "close" });
  if (!JSON_CONTENT_TYPE.test(request.headers["content-type"] ?? "")) return reject(415, UNSUPPORTED_CONTENT_TYPE_REPLY);
  const signature = request.headers["x-hub-signature-256"];
  if (typeof signature !== "string") {
    options.rejections.log({ request, reason: "missing", bodyBytes: undefined });
    return reject(SIGNATURE_REJECTED_STATUS, SIGNATURE_MISSING_REPLY);
  }
  const missing = ROUTING_HEADERS.filter((header) => request.headers[header] === undefined);
  if (missing.length > 0) return reject(400, JSON.stringify({ error: `Required headers missing: ${missing.join(", ")}` }));
  const declared = request.headers["content-length"] === undefined ? undefined : Number(request.headers["content-length"]);
  if (declared !== undefined && declared > route.maxBodyBytes) {
    return rejectTooLarge({ request, response, maxBytes: route.maxBodyBytes, receivedBytes: 0, log: route.log });
  }

  // 2. Room in the backlog and in the read budget; a body without Content-Length reserves the size limit.
  const queued = route.admission.checkQueue(request, declared ?? 0);
  if (queued) return reject(queued.status, queued.body);
  const reservation = declared ?? route.maxBodyBytes;
  const budget = route.admission.reserveRead(request, reservation);
  if (budget) return reject(budget.status, budget.body);

  // 3. The body, within the size limit.
  let read;
  try {
    read = await readBodyWithin(request, route.maxBodyBytes);
  } catch {
    // The sender went away mid-body: no client is left to reply to, and nothing was queued.
    response.destroy();
    return;
  } finally {
    route.admission.releaseRead(reservation);
  }
  if (!read.complete) return rejectTooLarge({ request, response, maxBytes: route.maxBodyBytes, receivedBytes: read.receivedBytes, log: route.log });

  // 4. The signature over the raw bytes, and the backlog with the real size.
  if (!verifyWebhookSignature({ secret: route.secret, body: read.data, signature })) {
    options.rejections.log({ request, reason: "mismatch", bodyBytes: read.data.length });
    return replyRead(SIGNATURE_REJECTED_STATUS, SIGNATURE_MISMATCH_REPLY);
  }
  const full = route.admission.checkQueue(request, read.data.length);
  if (full) return replyRead(full.status, full.body);

  // 5. Hand over, then reply.
  route.gauge.add(read.data.length);
  route.deliver({ id: headerText(request.headers["x-github-delivery"]), name: headerText(request.headers["x-github-event"]), body: read.data });
  response.writeHead(200, { "content-type": "text/plain", accept: "application/json", "content-length": String(ACCEPTED_REPLY.length), ...(route.isClosing() ? { connection: "close" } : {}) });
  response.end(ACCEPTED_REPLY);
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}
