import { describe, expect, it } from "vitest";
import type { CheckRunSink } from "../../src/service/check-run-reporter.ts";
import { BUSY_AFTER_WRITE_MS, CheckRunWriteGauge } from "../../src/service/check-run-write-gauge.ts";
import { MAX_UNREPORTED_COMMITS, UnreportedCommits } from "../../src/service/unreported-commits.ts";

/** Creates a sink whose writes resolve only when the test releases them. */
function heldSink(): { sink: CheckRunSink; release: () => void } {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const sink: CheckRunSink = {
    start: async () => (await held, 1),
    update: async () => held,
    complete: async () => held,
    createCompleted: async () => (await held, 2),
  };
  return { sink, release: () => release() };
}

describe("CheckRunWriteGauge", () => {
  it("counts an installation busy while a write is pending", async () => {
    let now = 0;
    const gauge = new CheckRunWriteGauge({ now: () => now });
    const { sink, release } = heldSink();
    const counted = gauge.countWrites({ sink, installationId: 7 });

    const write = counted.start({} as never);

    expect(gauge.isIdle(7)).toBe(false);
    expect(gauge.isIdle(8)).toBe(true);
    now = BUSY_AFTER_WRITE_MS * 10;
    expect(gauge.isIdle(7)).toBe(false);
    release();
    await write;
  });

  it("counts an installation busy for a while after its last write", async () => {
    let now = 1_000;
    const gauge = new CheckRunWriteGauge({ now: () => now });
    const { sink, release } = heldSink();
    release();

    await gauge.countWrites({ sink, installationId: 7 }).complete(1, {} as never);

    expect(gauge.isIdle(7)).toBe(false);
    now += BUSY_AFTER_WRITE_MS - 1;
    expect(gauge.isIdle(7)).toBe(false);
    now += 1;
    expect(gauge.isIdle(7)).toBe(true);
  });

  it("keeps a failed write's failure", async () => {
    const gauge = new CheckRunWriteGauge({ now: () => 0 });
    const failing: CheckRunSink = { ...heldSink().sink, createCompleted: async () => Promise.reject(new Error("GitHub returned 502")) };

    await expect(gauge.countWrites({ sink: failing, installationId: 3 }).createCompleted({} as never)).rejects.toThrow("GitHub returned 502");
    expect(gauge.isIdle(3)).toBe(false);
  });
});

describe("UnreportedCommits", () => {
  it("returns the commits once, oldest first", () => {
    const commits = new UnreportedCommits();
    commits.add("1/2", ["a"]);
    commits.add("1/2", ["b", "c"]);

    expect(commits.take("1/2")).toEqual(["a", "b", "c"]);
    expect(commits.take("1/2")).toEqual([]);
    expect(commits.size).toBe(0);
  });

  it("keeps only the newest commits of a key", () => {
    const commits = new UnreportedCommits();
    const shas = Array.from({ length: MAX_UNREPORTED_COMMITS + 5 }, (_, index) => `sha-${index}`);
    commits.add("1/2", shas);

    expect(commits.take("1/2")).toEqual(shas.slice(5));
  });
});
