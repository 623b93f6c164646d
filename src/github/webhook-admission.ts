import type { IncomingMessage } from "node:http";

import { truncateHeader } from "./webhook-signature-check.ts";
import { WEBHOOK_QUEUE_MAX_BYTES_VARIABLE, WEBHOOK_QUEUE_MAX_VARIABLE, WEBHOOK_READ_MAX_BYTES_VARIABLE, type WebhookFrontLimits } from "./webhook-front-limits.ts";
import type { WebhookQueueGauge } from "./webhook-queue-gauge.ts";

/** The log calls of the front thread, with the fields first as in pino. */
export interface FrontLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A reply that turns a delivery away: its status and JSON body. */
export interface Rejection {
  status: number;
  body: string;
}

/**
 * Decides whether the front may read and queue another delivery. Two bounds apply: the backlog
 * of deliveries acknowledged and not yet handled by Probot (count and body bytes, in the shared
 * gauge), and the body bytes being read at once over all requests. Over either, the delivery
 * gets 503, which GitHub shows as a failed delivery that can be redelivered. A byte bound never
 * turns away a delivery when no other delivery uses bytes, so one body up to the size limit always
 * fits. Each run of rejections logs one warn line when it starts and one info line, with the
 * count, when a delivery is admitted again.
 */
export class WebhookAdmission {
  readonly #limits: WebhookFrontLimits;
  readonly #gauge: WebhookQueueGauge;
  readonly #log: FrontLog;
  #readingBytes = 0;
  #queueRejections = 0;
  #readRejections = 0;

  constructor(options: { limits: WebhookFrontLimits; gauge: WebhookQueueGauge; log: FrontLog }) {
    this.#limits = options.limits;
    this.#gauge = options.gauge;
    this.#log = options.log;
  }

  /** Body bytes reserved by requests being read now. */
  get readingBytes(): number {
    return this.#readingBytes;
  }

  /** Checks the backlog bound for a delivery of `bodyBytes` (0 while its size is unknown). */
  checkQueue(request: IncomingMessage, bodyBytes: number): Rejection | null {
    const { queueMaxDeliveries, queueMaxBytes } = this.#limits;
    const deliveries = this.#gauge.deliveries;
    const bytes = this.#gauge.bytes;
    const full = deliveries >= queueMaxDeliveries || (deliveries > 0 && bytes + bodyBytes > queueMaxBytes);
    if (!full) {
      if (this.#queueRejections > 0) this.#log.info({ rejectedDeliveries: this.#queueRejections, queuedDeliveries: deliveries, queuedBytes: bytes }, "webhook queue accepts deliveries again");
      this.#queueRejections = 0;
      return null;
    }

    if (this.#queueRejections === 0) {
      this.#log.warn({ ...deliveryFields(request), queuedDeliveries: deliveries, queuedBytes: bytes, queueMaxDeliveries, queueMaxBytes }, "webhook queue full; deliveries rejected with 503");
    }
    this.#queueRejections += 1;
    const error = `webhook queue is full (waiting for the app: ${deliveries} of at most ${queueMaxDeliveries} deliveries, ${bytes} of at most ${queueMaxBytes} bytes): redeliver this delivery later. ${WEBHOOK_QUEUE_MAX_VARIABLE} and ${WEBHOOK_QUEUE_MAX_BYTES_VARIABLE} set the bounds`;
    return { status: 503, body: JSON.stringify({ error }) };
  }

  /** Reserves `bytes` of the read budget, or returns the 503 reply when they do not fit. */
  reserveRead(request: IncomingMessage, bytes: number): Rejection | null {
    const { readMaxBytes } = this.#limits;
    if (this.#readingBytes > 0 && this.#readingBytes + bytes > readMaxBytes) {
      if (this.#readRejections === 0) {
        this.#log.warn({ ...deliveryFields(request), readingBytes: this.#readingBytes, requestedBytes: bytes, readMaxBytes }, "webhook read budget exhausted; deliveries rejected with 503");
      }
      this.#readRejections += 1;
      const error = `webhook bodies being read would exceed ${readMaxBytes} bytes in total (${this.#readingBytes} bytes being read, ${bytes} more for this request): redeliver this delivery later. ${WEBHOOK_READ_MAX_BYTES_VARIABLE} sets the budget`;
      return { status: 503, body: JSON.stringify({ error }) };
    }

    if (this.#readRejections > 0) this.#log.info({ rejectedDeliveries: this.#readRejections, readingBytes: this.#readingBytes }, "webhook read budget accepts deliveries again");
    this.#readRejections = 0;
    this.#readingBytes += bytes;
    return null;
  }

  releaseRead(bytes: number): void {
    this.#readingBytes -= bytes;
  }
}

function deliveryFields(request: IncomingMessage): Record<string, unknown> {
  return { deliveryId: truncateHeader(request.headers["x-github-delivery"]), event: truncateHeader(request.headers["x-github-event"]), contentLength: request.headers["content-length"] };
}
