import { DEFAULT_WEBHOOK_MAX_BYTES, readWebhookMaxBytes } from "./webhook-body-limit.ts";

/** Bounds the webhook front enforces before a delivery reaches Probot. */
export interface WebhookFrontLimits {
  /** Maximum bytes of one webhook body; a larger one gets 413 (PADDOCK_WEBHOOK_MAX_BYTES). */
  maxBodyBytes: number;
  /** Maximum deliveries acknowledged and not yet handled by Probot; more get 503 (PADDOCK_WEBHOOK_QUEUE_MAX). */
  queueMaxDeliveries: number;
  /** Maximum body bytes of those deliveries; more get 503 (PADDOCK_WEBHOOK_QUEUE_MAX_BYTES). */
  queueMaxBytes: number;
  /** Maximum body bytes being read at once over all requests; more get 503 (PADDOCK_WEBHOOK_READ_MAX_BYTES). */
  readMaxBytes: number;
}

/**
 * Default queue bound in deliveries. It is a chosen value, not a measured optimum: a backlog of
 * 1,000 recorded 23 KB pull_request payloads keeps about 23 MB of bodies, under the byte bound.
 * Past it GitHub records a failed delivery instead of the process growing without bound.
 */
export const DEFAULT_WEBHOOK_QUEUE_MAX = 1_000;

/**
 * Default bound on queued and on concurrently read body bytes: two maximum-size bodies (50 MiB),
 * so one delivery at GitHub's 25 MB cap still fits beside other traffic.
 */
export const DEFAULT_WEBHOOK_QUEUE_MAX_BYTES = 2 * DEFAULT_WEBHOOK_MAX_BYTES;
export const DEFAULT_WEBHOOK_READ_MAX_BYTES = 2 * DEFAULT_WEBHOOK_MAX_BYTES;

/** Environment variables that set the front's bounds, beside PADDOCK_WEBHOOK_MAX_BYTES. */
export const WEBHOOK_QUEUE_MAX_VARIABLE = "PADDOCK_WEBHOOK_QUEUE_MAX";
export const WEBHOOK_QUEUE_MAX_BYTES_VARIABLE = "PADDOCK_WEBHOOK_QUEUE_MAX_BYTES";
export const WEBHOOK_READ_MAX_BYTES_VARIABLE = "PADDOCK_WEBHOOK_READ_MAX_BYTES";

/** Reads the front's bounds from the environment; unset or empty variables take the defaults. */
export function readWebhookFrontLimits(env: NodeJS.ProcessEnv): WebhookFrontLimits {
  return {
    maxBodyBytes: readWebhookMaxBytes(env),
    queueMaxDeliveries: readPositiveWhole(env, WEBHOOK_QUEUE_MAX_VARIABLE, DEFAULT_WEBHOOK_QUEUE_MAX, "deliveries"),
    queueMaxBytes: readPositiveWhole(env, WEBHOOK_QUEUE_MAX_BYTES_VARIABLE, DEFAULT_WEBHOOK_QUEUE_MAX_BYTES, "bytes"),
    readMaxBytes: readPositiveWhole(env, WEBHOOK_READ_MAX_BYTES_VARIABLE, DEFAULT_WEBHOOK_READ_MAX_BYTES, "bytes"),
  };
}

function readPositiveWhole(env: NodeJS.ProcessEnv, name: string, fallback: number, unit: string): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name}=${text} is invalid: set a whole number of ${unit}, 1 or more (the default is ${fallback})`);
  }
  return value;
}
