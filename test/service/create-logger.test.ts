import { describe, expect, it } from "vitest";
import { readLogLevel } from "../../src/service/create-logger.ts";

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
