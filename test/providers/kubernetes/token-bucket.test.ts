import { describe, expect, it } from "vitest";

import { TokenBucket } from "../../../src/providers/kubernetes/token-bucket.ts";

function createBucket(options: { qps: number; burst: number }) {
  let now = 0;
  const waits: number[] = [];
  const bucket = new TokenBucket({
    ...options,
    now: () => now,
    wait: async (milliseconds) => {
      waits.push(milliseconds);
    },
  });
  return { bucket, waits, advance: (milliseconds: number) => (now += milliseconds) };
}

describe("TokenBucket", () => {
  it("burst passes without waiting", async () => {
    const { bucket, waits } = createBucket({ qps: 20, burst: 40 });

    for (let request = 0; request < 40; request += 1) await bucket.acquire();

    expect(waits).toEqual([]);
  });

  it("requests past the burst wait in order", async () => {
    const { bucket, waits } = createBucket({ qps: 20, burst: 40 });

    for (let request = 0; request < 43; request += 1) await bucket.acquire();

    expect(waits).toEqual([50, 100, 150]);
  });

  it("refills at qps", async () => {
    const { bucket, waits, advance } = createBucket({ qps: 10, burst: 1 });
    await bucket.acquire();

    advance(100);
    await bucket.acquire();

    expect(waits).toEqual([]);
  });

  it("aborted wait returns the token", async () => {
    let now = 0;
    const waits: number[] = [];
    const controller = new AbortController();
    const bucket = new TokenBucket({
      qps: 10,
      burst: 1,
      now: () => now,
      wait: async (milliseconds) => {
        waits.push(milliseconds);
        if (controller.signal.aborted) throw new Error("aborted");
      },
    });
    await bucket.acquire();
    controller.abort();

    await expect(bucket.acquire(controller.signal)).rejects.toThrow();
    now = 100;
    await bucket.acquire();

    expect(waits).toEqual([]);
  });

  it("rejects an invalid rate", () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow("qps must be a positive number, got 0");
    expect(() => new TokenBucket({ qps: 1, burst: 0.5 })).toThrow("burst must be a positive integer, got 0.5");
  });
});
