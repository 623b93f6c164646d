import pino from "pino";
import { describe, expect, it } from "vitest";
import { KeyedScheduler, type ScheduledWork } from "../../src/environments/keyed-scheduler.ts";
import { markLogged } from "../../src/logged-errors.ts";

const logger = pino({ level: "silent" });

/** Work that records what happened to it and runs until released or aborted. */
function trackedWork(kind: "run" | "teardown", sha: string | null, events: string[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const work: ScheduledWork = {
    kind,
    sha,
    execute: async (signal) => {
      events.push(`start ${sha ?? kind}`);
      await new Promise<void>((resolve) => {
        const onAbort = (): void => {
          events.push(`abort ${sha ?? kind}: ${(signal.reason as Error).message}`);
          resolve();
        };
        void released.then(resolve);
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort);
      });
      events.push(`end ${sha ?? kind}`);
    },
    supersede: async (reason) => {
      events.push(`superseded ${sha ?? kind}: ${reason}`);
    },
  };
  return { work, release };
}

describe("KeyedScheduler", () => {
  it("aborts the running commit and supersedes the queued one", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 2, quietMs: 10 });
    const events: string[] = [];
    const first = trackedWork("run", "aaaaaaa1", events);
    const second = trackedWork("run", "bbbbbbb2", events);
    const third = trackedWork("run", "ccccccc3", events);

    expect(scheduler.submit("k", first.work)).toBe("started");
    expect(scheduler.submit("k", second.work)).toBe("queued");
    expect(scheduler.submit("k", third.work)).toBe("queued");
    third.release();
    await scheduler.onIdle();

    // The first job starts on a later tick, so the supersede call is recorded before it.
    expect(events).toEqual([
      "superseded bbbbbbb2: Cancelled: superseded by ccccccc",
      "start aaaaaaa1",
      "abort aaaaaaa1: Cancelled: superseded by bbbbbbb",
      "end aaaaaaa1",
      "start ccccccc3",
      "end ccccccc3",
    ]);
  });

  it("lets a teardown pre-empt queued runs", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 2, quietMs: 60_000 });
    const events: string[] = [];
    const run = trackedWork("run", "aaaaaaa1", events);
    const queued = trackedWork("run", "bbbbbbb2", events);
    const teardown = trackedWork("teardown", null, events);

    scheduler.submit("k", run.work);
    scheduler.submit("k", queued.work);
    // The teardown does not wait for the quiet time that the queued run was waiting for.
    expect(scheduler.submit("k", teardown.work)).toBe("queued");
    teardown.release();
    await scheduler.onIdle();

    expect(events).toEqual([
      "superseded bbbbbbb2: Cancelled: the environment is being torn down",
      "start aaaaaaa1",
      "abort aaaaaaa1: Cancelled: superseded by bbbbbbb",
      "end aaaaaaa1",
      "start teardown",
      "end teardown",
    ]);
  });

  it("never interrupts a running teardown", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 1, quietMs: 10 });
    const events: string[] = [];
    const teardown = trackedWork("teardown", null, events);
    const run = trackedWork("run", "aaaaaaa1", events);

    scheduler.submit("k", teardown.work);
    scheduler.submit("k", run.work);
    teardown.release();
    run.release();
    await scheduler.onIdle();

    expect(events).toEqual(["start teardown", "end teardown", "start aaaaaaa1", "end aaaaaaa1"]);
  });

  it("runs different keys side by side", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 2, quietMs: 10 });
    const events: string[] = [];
    const one = trackedWork("run", "1111111a", events);
    const two = trackedWork("run", "2222222b", events);

    scheduler.submit("one", one.work);
    scheduler.submit("two", two.work);
    expect(scheduler.activeKeys).toBe(2);
    one.release();
    two.release();
    await scheduler.onIdle();

    expect(events.slice(0, 2)).toEqual(["start 1111111a", "start 2222222b"]);
    expect(scheduler.activeKeys).toBe(0);
  });

  it("starts only the first and the last run of a burst", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 2, quietMs: 50 });
    const events: string[] = [];
    const burst = Array.from({ length: 10 }, (_, index) => trackedWork("run", `${index}`.padStart(8, "0"), events));

    for (const item of burst) {
      item.release();
      scheduler.submit("k", item.work);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await scheduler.onIdle();

    expect(events.filter((event) => event.startsWith("start"))).toEqual(["start 00000000", "start 00000009"]);
    expect(events.filter((event) => event.startsWith("superseded"))).toHaveLength(8);
  });
});

describe("KeyedScheduler.preempt", () => {
  it("aborts the running run and resolves when it ended", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 2, quietMs: 60_000 });
    const events: string[] = [];
    const running = trackedWork("run", "aaaaaaa1", events);
    const waiting = trackedWork("run", "bbbbbbb2", events);
    scheduler.submit("k", running.work);
    scheduler.submit("k", waiting.work);
    await new Promise((resolve) => setImmediate(resolve));

    await scheduler.preempt("k", "Cancelled: taken over");
    events.push("preempted");
    await scheduler.onIdle();

    expect(events).toEqual([
      "start aaaaaaa1",
      "abort aaaaaaa1: Cancelled: superseded by bbbbbbb",
      "end aaaaaaa1",
      "superseded bbbbbbb2: Cancelled: taken over",
      "preempted",
    ]);
    expect(scheduler.activeKeys).toBe(0);
  });

  it("waits for a running run it aborts", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 2, quietMs: 60_000 });
    const events: string[] = [];
    const running = trackedWork("run", "aaaaaaa1", events);
    scheduler.submit("k", running.work);
    await new Promise((resolve) => setImmediate(resolve));

    await scheduler.preempt("k", "Cancelled: taken over");
    events.push("preempted");

    expect(events).toEqual(["start aaaaaaa1", "abort aaaaaaa1: Cancelled: taken over", "end aaaaaaa1", "preempted"]);
  });

  it("resolves at once for an idle key", async () => {
    const scheduler = new KeyedScheduler({ logger, concurrency: 2 });

    await scheduler.preempt("idle", "Cancelled: taken over");

    expect(scheduler.activeKeys).toBe(0);
  });

  it("logs failed work once", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const capturing = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const scheduler = new KeyedScheduler({ logger: capturing, concurrency: 2, quietMs: 10 });
    const logged = new Error("logged where it was caught");
    markLogged(logged);
    const failing = (error: Error): ScheduledWork => ({ kind: "run", sha: error.message, execute: () => Promise.reject(error), supersede: async () => undefined });

    scheduler.submit("marked", failing(logged));
    scheduler.submit("unmarked", failing(new Error("not logged yet")));
    await scheduler.onIdle();

    expect(lines.map((line) => [line.msg, line.key, (line.err as { message?: string } | undefined)?.message])).toEqual([["scheduled work failed", "unmarked", "not logged yet"]]);
  });
});
