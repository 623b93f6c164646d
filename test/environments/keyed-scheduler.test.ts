import pino from "pino";
import { describe, expect, it } from "vitest";
import { KeyedScheduler, type ScheduledWork } from "../../src/environments/keyed-scheduler.ts";

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
    const scheduler = new KeyedScheduler({ logger, concurrency: 2 });
    const events: string[] = [];
    const first = trackedWork("run", "aaaaaaa1", events);
    const second = trackedWork("run", "bbbbbbb2", events);
    const third = trackedWork("run", "ccccccc3", events);

    scheduler.submit("k", first.work);
    scheduler.submit("k", second.work);
    scheduler.submit("k", third.work);
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
    const scheduler = new KeyedScheduler({ logger, concurrency: 2 });
    const events: string[] = [];
    const run = trackedWork("run", "aaaaaaa1", events);
    const queued = trackedWork("run", "bbbbbbb2", events);
    const teardown = trackedWork("teardown", null, events);

    scheduler.submit("k", run.work);
    scheduler.submit("k", queued.work);
    scheduler.submit("k", teardown.work);
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
    const scheduler = new KeyedScheduler({ logger, concurrency: 1 });
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
    const scheduler = new KeyedScheduler({ logger, concurrency: 2 });
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
});
