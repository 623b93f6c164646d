import type { Logger } from "pino";
import type { Probot } from "probot";

import type { FrontDelivery } from "./webhook-front-messages.ts";
import type { WebhookQueueGauge } from "./webhook-queue-gauge.ts";

/** One parsed delivery, as @octokit/webhooks' `receive` takes it. */
export interface ParsedDelivery {
  id: string;
  name: string;
  payload: unknown;
}

/** The main thread's side of the front. */
export interface DeliveryReceiver {
  /** Parses one delivery and hands it to Probot. */
  receive(delivery: FrontDelivery): void;
  /** Resolves once no delivery is queued or being handled; deliveries the front still posts count as queued. */
  drained(): Promise<void>;
}

/**
 * Builds the main thread's side of the front: it parses each delivery's body and hands it to
 * `receive` (Probot's `webhooks.receive`, which @octokit/webhooks' middleware calls once the
 * signature matched), then takes it off the gauge once the handlers settled. The front already
 * replied 200, so a body that is not JSON, or not a JSON object, logs one warn line and reaches no handler. Handler
 * failures are logged by Probot's own error handler, with the delivery id.
 */
export function createDeliveryReceiver(options: { gauge: WebhookQueueGauge; logger: Logger; receive: (delivery: ParsedDelivery) => Promise<void> }): DeliveryReceiver {
  const { gauge, logger } = options;
  const waiters: Array<() => void> = [];
  const done = (bodyBytes: number): void => {
    gauge.remove(bodyBytes);
    if (gauge.deliveries === 0) for (const wake of waiters.splice(0)) wake();
  };
  const drained = (): Promise<void> => (gauge.deliveries === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)));

  const receive = (delivery: FrontDelivery): void => {
    const bodyBytes = delivery.body.byteLength;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(delivery.body).toString("utf8"));
    } catch {
      // The parser's message quotes the body, so only the size is logged.
      done(bodyBytes);
      logger.warn({ deliveryId: delivery.id, event: delivery.name, bodyBytes, reason: "the body is not valid JSON" }, "webhook delivery dropped");
      return;
    }

    const notObject = describeNonObject(payload);
    if (notObject !== undefined) {
      done(bodyBytes);
      logger.warn({ deliveryId: delivery.id, event: delivery.name, bodyBytes, reason: `payload is not a JSON object: it is ${notObject}` }, "webhook delivery dropped");
      return;
    }

    let handled: Promise<void>;
    try {
      handled = options.receive({ id: delivery.id, name: delivery.name, payload });
    } catch (error) {
      // @octokit/webhooks 14 throws at once, before any error handler, for a payload that is null or not an object.
      handled = Promise.reject(error);
    }
    handled
      .catch((error: unknown) => {
        if (error instanceof Error && "event" in error) return;
        logger.warn({ deliveryId: delivery.id, event: delivery.name, bodyBytes, reason: error instanceof Error ? error.message : String(error) }, "webhook delivery dropped");
      })
      .finally(() => done(bodyBytes));
  };
  return { receive, drained };
}

/**
 * Names the JSON type of a payload that is not an object, such as "a JSON array"; undefined for
 * an object. Every GitHub webhook payload is an object, and @octokit/webhooks and the event parser
 * would otherwise report an array or a string with a misleading message.
 */
function describeNonObject(payload: unknown): string | undefined {
  if (Array.isArray(payload)) return "a JSON array";
  if (payload === null) return "JSON null";
  if (typeof payload !== "object") return `a JSON ${typeof payload}`;
  return undefined;
}

/** Returns a `receive` that hands deliveries to a Probot instance's @octokit/webhooks, as its middleware does after the signature check. */
export function receiveWithProbot(probot: Probot): (delivery: ParsedDelivery) => Promise<void> {
  return (delivery) => probot.webhooks.receive(delivery as Parameters<Probot["webhooks"]["receive"]>[0]);
}
