import { describe, expect, it } from "vitest";

import { OutputTail } from "../../../src/providers/local/output-tail.ts";

describe("OutputTail", () => {
  it("keeps short output whole", () => {
    const tail = new OutputTail();
    tail.push(Buffer.from("one\ntwo\n"));

    expect(tail.read()).toEqual({ text: "one\ntwo\n", truncated: false });
  });

  it("keeps the last lines across chunks", () => {
    const tail = new OutputTail({ maxLines: 2 });
    tail.push(Buffer.from("a\nb"));
    tail.push(Buffer.from("\nc\nd\n"));

    expect(tail.read()).toEqual({ text: "c\nd\n", truncated: true });
  });

  it("counts an unterminated last line", () => {
    const tail = new OutputTail({ maxLines: 2 });
    tail.push(Buffer.from("a\nb\nc"));

    expect(tail.read()).toEqual({ text: "b\nc", truncated: true });
  });

  it("cuts at the byte limit", () => {
    const tail = new OutputTail({ maxLines: 50, maxBytes: 9 });
    tail.push(Buffer.from("0123456789\nabcdef\n"));

    expect(tail.read()).toEqual({ text: "9\nabcdef\n", truncated: true });
  });

  it("cuts on a UTF-8 character boundary", () => {
    const tail = new OutputTail({ maxBytes: 5 });
    // "é" is 2 bytes and "€" is 3 bytes: the last 5 bytes start inside the "é".
    tail.push(Buffer.from("aé€x"));

    expect(tail.read()).toEqual({ text: "€x", truncated: true });
  });

  it("keeps a character split across chunks", () => {
    const tail = new OutputTail();
    const euro = Buffer.from("€");
    tail.push(euro.subarray(0, 1));
    tail.push(euro.subarray(1));

    expect(tail.read()).toEqual({ text: "€", truncated: false });
  });

  it("retains at most maxBytes for a huge chunk", () => {
    const tail = new OutputTail({ maxLines: 3, maxBytes: 16 });
    tail.push(Buffer.alloc(1_000_000, "x"));

    expect(tail.read()).toEqual({ text: "x".repeat(16), truncated: true });
    expect(tail.receivedBytes).toBe(1_000_000);
  });

  it("rejects a non-positive line count", () => {
    expect(() => new OutputTail({ maxLines: 0 })).toThrow("maxLines must be a positive integer, got 0");
  });
});
