import { describe, expect, it } from "vitest";
import { createLogger, readLogLevel } from "../../src/service/create-logger.ts";

/** Returns the raw JSON lines a logger writes, since a parsed object would hide repeated keys. */
function captureLines(): { lines: string[]; destination: { write: (line: string) => void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line) => void lines.push(line.trimEnd()) } };
}

function countKey(line: string, key: string): number {
  return line.split(`"${key}":`).length - 1;
}

describe("readLogLevel", () => {
  it("defaults unset or empty to info", () => {
    expect(readLogLevel({})).toBe("info");
    expect(readLogLevel({ LOG_LEVEL: "" })).toBe("info");
  });

  it("accepts pino's levels", () => {
    expect(readLogLevel({ LOG_LEVEL: "silent" })).toBe("silent");
    expect(readLogLevel({ LOG_LEVEL: "trace" })).toBe("trace");
  });

  it("rejects an unknown level", () => {
    expect(() => readLogLevel({ LOG_LEVEL: "loud" })).toThrowError(/^LOG_LEVEL=loud is invalid\. set one of trace, debug, info, warn, error, fatal, silent$/);
  });
});

describe("createLogger", () => {
  it("writes each key once in a nested child", () => {
    const { lines, destination } = captureLines();
    const logger = createLogger({ destination });

    logger.child({ name: "probot" }).child({ name: "event", id: "delivery-1" }).info("received");

    const [line] = lines;
    expect(countKey(line!, "name")).toBe(1);
    expect(countKey(line!, "id")).toBe(1);
    expect(JSON.parse(line!)).toMatchObject({ name: "event", id: "delivery-1", msg: "received" });
  });

  it("keeps the root name without children", () => {
    const { lines, destination } = captureLines();

    createLogger({ destination }).info("ready");

    expect(JSON.parse(lines[0]!)).toMatchObject({ name: "paddock", msg: "ready" });
  });

  it("redacts tokens in child bindings", () => {
    const { lines, destination } = captureLines();

    createLogger({ destination }).child({ name: "github", token: "ghs_secret" }).info("minted");

    expect(lines[0]).not.toContain("ghs_secret");
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: "github", token: "[redacted]" });
  });
});
