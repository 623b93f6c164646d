import { describe, expect, it } from "vitest";
import { DeferredWrites } from "../../src/github/deferred-writes.ts";

/** A write that records its start and end and finishes when released. */
function heldWrite(name: string, events: string[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const write = async (): Promise<string> => {
    events.push(`start ${name}`);
    await released;
    events.push(`end ${name}`);
    return name;
  };
  return { write, release };
}

describe("DeferredWrites", () => {
  it("sends one installation's writes one at a time", async () => {
    const writes = new DeferredWrites();
    const events: string[] = [];
    const first = heldWrite("a1", events);
    const second = heldWrite("a2", events);

    const results = [writes.run("77", first.write), writes.run("77", second.write)];
    await new Promise((resolve) => setImmediate(resolve));
    events.push("both submitted");
    first.release();
    second.release();

    expect(await Promise.all(results)).toEqual(["a1", "a2"]);
    expect(events).toEqual(["start a1", "both submitted", "end a1", "start a2", "end a2"]);
    expect(writes.activeInstallations).toBe(0);
  });

  it("runs other installations' writes alongside", async () => {
    const writes = new DeferredWrites();
    const events: string[] = [];
    const held = heldWrite("a1", events);
    const other = heldWrite("b1", events);

    const results = [writes.run("77", held.write), writes.run("78", other.write)];
    await new Promise((resolve) => setImmediate(resolve));

    expect(events).toEqual(["start a1", "start b1"]);
    expect(writes.activeInstallations).toBe(2);
    held.release();
    other.release();
    await Promise.all(results);
  });

  it("goes on after a failed write", async () => {
    const writes = new DeferredWrites();

    const failed = writes.run("77", async () => Promise.reject(new Error("HTTP 502")));
    const next = writes.run("77", async () => "sent");

    await expect(failed).rejects.toThrow("HTTP 502");
    expect(await next).toBe("sent");
  });
});
