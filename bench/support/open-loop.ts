import type { Agent } from "node:http";

import { sendWebhook, type WebhookDelivery } from "../../test/loopback-github/webhook-sender.ts";

/** Measurements of one open-loop run at a fixed rate. */
export interface OpenLoopResult {
  offeredPerSecond: number;
  sent: number;
  /** Replies with a 2xx status. */
  ok: number;
  /** Replies with another status, and requests that failed or timed out. */
  failed: number;
  /** Time from each request's scheduled start to the end of its reply, in ms, for 2xx replies. */
  latenciesMs: number[];
  /** Completed 2xx replies per second over the time from the first send to the last reply. */
  achievedPerSecond: number;
}

/**
 * Sends `ratePerSecond × seconds` deliveries on a fixed schedule, without waiting for replies
 * (an open loop, as GitHub sends), and measures each from its scheduled start, so a server that
 * falls behind shows the queueing in its latency. The schedule is checked every millisecond.
 */
export async function runOpenLoop(options: { url: string; ratePerSecond: number; seconds: number; agent: Agent; makeDelivery: (index: number) => WebhookDelivery }): Promise<OpenLoopResult> {
  const total = Math.round(options.ratePerSecond * options.seconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const latenciesMs: number[] = [];
  let failed = 0;
  let lastReplyAt = 0;
  const pending: Array<Promise<void>> = [];
  const started = performance.now();

  for (let index = 0; index < total; ) {
    const now = performance.now();
    while (index < total && started + index * intervalMs <= now) {
      const scheduledAt = started + index * intervalMs;
      const delivery = options.makeDelivery(index);
      pending.push(
        sendWebhook({ url: options.url, delivery, agent: options.agent, timeoutMs: 30_000 }).then(
          (reply) => {
            lastReplyAt = performance.now();
            if (reply.status >= 200 && reply.status < 300) latenciesMs.push(lastReplyAt - scheduledAt);
            else failed += 1;
          },
          () => void (failed += 1),
        ),
      );
      index += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);

  const elapsedSeconds = Math.max(lastReplyAt - started, 1) / 1000;
  return { offeredPerSecond: options.ratePerSecond, sent: total, ok: latenciesMs.length, failed, latenciesMs, achievedPerSecond: latenciesMs.length / elapsedSeconds };
}
