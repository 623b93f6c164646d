import { describe, expect, it } from "vitest";
import { locateFailure, MAX_LINE_NUMBER, toLineNumber, toRepositoryPath } from "../../src/pipeline/junit-location.ts";

const PREFIXES = ["/workspace/"];

describe("toRepositoryPath", () => {
  it.each([
    ["/workspace/test/a.js", "test/a.js"],
    ["file:///workspace/test/a.js", "test/a.js"],
    ["file:///workspace/my%20dir/a.js", "my dir/a.js"],
    ["./test/a.js", "test/a.js"],
    ["test/a.js", "test/a.js"],
  ])("maps %s to %s", (raw, expected) => {
    expect(toRepositoryPath(raw, PREFIXES)).toBe(expected);
  });

  it.each([
    ["/usr/lib/node/a.js"],
    ["/workspace/node_modules/vitest/index.js"],
    ["node_modules/x/index.js"],
    ["../outside/a.js"],
    ["/workspace/a/../../etc/passwd"],
    ["/workspace/"],
    ["test//a.js"],
  ])("rejects %s", (raw) => {
    expect(toRepositoryPath(raw, PREFIXES)).toBeUndefined();
  });
});

describe("toLineNumber", () => {
  it.each([
    ["1", 1],
    ["0", 1],
    ["-7", 1],
    [" 42 ", 42],
    [String(MAX_LINE_NUMBER), MAX_LINE_NUMBER],
    [String(MAX_LINE_NUMBER + 1), MAX_LINE_NUMBER],
    ["1e400", 1],
  ])("reads %s as %i", (text, expected) => {
    expect(toLineNumber(text)).toBe(expected);
  });

  it("returns undefined without digits", () => {
    expect(toLineNumber("line")).toBeUndefined();
    expect(toLineNumber(undefined)).toBeUndefined();
  });
});

describe("locateFailure", () => {
  const base = { fileAttribute: undefined, lineAttribute: undefined, classname: undefined, checkoutPrefixes: PREFIXES };

  it("reads a Vitest frame", () => {
    expect(locateFailure({ ...base, texts: [" ❯ test/a.test.ts:5:15"] })).toEqual({ file: "test/a.test.ts", line: 5 });
  });

  it("reads a bare absolute frame", () => {
    expect(locateFailure({ ...base, texts: ["    at /workspace/test/x.test.js:12:5"] })).toEqual({ file: "test/x.test.js", line: 12 });
  });

  it("reads a frame behind terminal colours", () => {
    expect(locateFailure({ ...base, texts: ["\u001b[90m ❯ \u001b[39mtest/a.test.ts:8:1"] })).toEqual({ file: "test/a.test.ts", line: 8 });
  });

  it("ignores a bare file name without a column", () => {
    expect(locateFailure({ ...base, texts: ["at com.example.SumTest.adds(SumTest.java:12)"] })).toEqual({ file: "", line: 1 });
  });

  it("accepts a bare file name with a column", () => {
    expect(locateFailure({ ...base, texts: ["at a.test.js:3:4"] })).toEqual({ file: "a.test.js", line: 3 });
  });

  it("ignores Node internals", () => {
    const texts = ["at Test.run (node:internal/test_runner/test:796:25)", "at node:async_hooks:206:9"];
    expect(locateFailure({ ...base, texts })).toEqual({ file: "", line: 1 });
  });

  it("searches later texts when the first names nothing", () => {
    expect(locateFailure({ ...base, texts: ["no frame", "at /workspace/b.js:2:2"] })).toEqual({ file: "b.js", line: 2 });
  });

  it("prefers the file attribute over an earlier frame elsewhere", () => {
    const texts = ["at helper (/workspace/src/helper.js:3:3)", "at t (/workspace/test/t.test.js:9:1)"];
    expect(locateFailure({ ...base, fileAttribute: "/workspace/test/t.test.js", texts })).toEqual({ file: "test/t.test.js", line: 9 });
  });

  it("falls back to frames when the file attribute is outside the checkout", () => {
    const texts = ["at t (/workspace/test/t.test.js:9:1)"];
    expect(locateFailure({ ...base, fileAttribute: "/elsewhere/t.test.js", lineAttribute: "4", texts })).toEqual({
      file: "test/t.test.js",
      line: 9,
    });
  });

  it("scans a long token-free line in linear time", () => {
    const texts = [`${"a".repeat(2_000_000)}:1`, `${"a/".repeat(1_000_000)}`];
    const started = performance.now();

    expect(locateFailure({ ...base, texts })).toEqual({ file: "", line: 1 });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
