import { describe, expect, it } from "vitest";
import { EVENT_MEMORY_MS, MAX_REMEMBERED_EVENTS, RecentEvents } from "../../src/environments/recent-events.ts";

describe("RecentEvents", () => {
  it("reports a key seen before as a duplicate", () => {
    const events = new RecentEvents();

    expect(events.checkAndRemember(["delivery/1", "event/1/2/abc/opened"])).toBe(false);
    expect(events.checkAndRemember(["delivery/2", "event/1/2/abc/opened"])).toBe(true);
    expect(events.checkAndRemember(["delivery/1"])).toBe(true);
    expect(events.checkAndRemember(["delivery/3", "event/1/2/def/synchronize"])).toBe(false);
  });

  it("remembers every key of a duplicate call", () => {
    const events = new RecentEvents();
    events.checkAndRemember(["delivery/1"]);

    expect(events.checkAndRemember(["delivery/1", "event/new"])).toBe(true);
    expect(events.checkAndRemember(["event/new"])).toBe(true);
  });

  it("forgets a key after the memory window", () => {
    let now = 1_000_000;
    const events = new RecentEvents({ now: () => now });
    events.checkAndRemember(["delivery/1"]);

    now += EVENT_MEMORY_MS - 1;
    expect(events.checkAndRemember(["delivery/2"])).toBe(false);
    expect(events.checkAndRemember(["delivery/1"])).toBe(true);
    now += EVENT_MEMORY_MS;
    expect(events.checkAndRemember(["delivery/1"])).toBe(false);
  });

  it("keeps at least half the capacity of the newest keys", () => {
    const events = new RecentEvents({ capacity: 100 });
    for (let index = 0; index < 1_000; index += 1) events.checkAndRemember([`delivery/${index}`]);

    expect(events.size).toBeLessThanOrEqual(100);
    for (let index = 950; index < 1_000; index += 1) expect(events.checkAndRemember([`delivery/${index}`])).toBe(true);
  });

  it("forgets keys older than the capacity", () => {
    const events = new RecentEvents({ capacity: 100 });
    for (let index = 0; index < 1_000; index += 1) events.checkAndRemember([`delivery/${index}`]);

    expect(events.checkAndRemember(["delivery/0"])).toBe(false);
  });

  it("keeps a key remembered again in the newer generation", () => {
    const events = new RecentEvents({ capacity: 10 });
    events.checkAndRemember(["kept"]);
    for (let index = 0; index < 40; index += 1) {
      events.checkAndRemember([`delivery/${index}`]);
      expect(events.checkAndRemember(["kept"])).toBe(true);
    }
  });

  it("tells apart many keys of the same shape", () => {
    const events = new RecentEvents();
    const keys = Array.from({ length: MAX_REMEMBERED_EVENTS / 2 }, (_, index) => `event/${100_000 + (index % 97)}/${index}/${index.toString(16).padEnd(40, "a")}/synchronize`);

    const duplicates = keys.filter((key) => events.checkAndRemember([key])).length;

    expect(duplicates).toBe(0);
    expect(events.size).toBe(keys.length);
  });

  it("rejects a capacity below 2", () => {
    expect(() => new RecentEvents({ capacity: 1 })).toThrow("RecentEvents capacity 1 is invalid: pass a whole number of 2 or more");
  });
});
