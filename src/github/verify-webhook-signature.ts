import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Checks GitHub's `x-hub-signature-256` header against the raw body: `sha256=` and the
 * lowercase hex HMAC-SHA256 of the bytes under `secret`, compared in constant time. Like
 * @octokit/webhooks-methods 6, it compares the whole header text, so uppercase hex fails.
 */
export function verifyWebhookSignature(options: { secret: string; body: Uint8Array; signature: string }): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", options.secret).update(options.body).digest("hex")}`);
  const received = Buffer.from(options.signature);
  return received.length === expected.length && timingSafeEqual(received, expected);
}
