import { describe, expect, it } from "vitest";
import { createCliLogger, formatLogLine } from "../../src/cli/cli-logger.ts";

describe("CLI logger", () => {
  it("writes pino records as paddock lines", () => {
    let stderr = "";
    const logger = createCliLogger({ io: { stdout: () => undefined, stderr: (text) => (stderr += text), cwd: "/", env: {} }, level: "warn" });

    logger.info({ step: "build" }, "step finished");
    logger.warn({ service: "web", port: 8080 }, "service failed");
    logger.error({ err: new Error("connection refused") }, "environment preparation failed");
    logger.warn("nothing attached");

    expect(stderr).toBe(
      [
        "paddock: warn: service failed: service=web port=8080",
        'paddock: error: environment preparation failed: error="connection refused"',
        "paddock: warn: nothing attached",
        "",
      ].join("\n"),
    );
  });

  it.each([
    ['{"level":40,"msg":"m","reason":"a b"}', 'paddock: warn: m: reason="a b"\n'],
    ['{"level":40,"msg":"m","detail":"say \\"x\\""}', 'paddock: warn: m: detail="say \\"x\\""\n'],
    ['{"level":40,"msg":"m","pids":[1,2]}', "paddock: warn: m: pids=[1,2]\n"],
    ['{"level":40,"msg":"m","seen":{"a":1}}', 'paddock: warn: m: seen="{\\"a\\":1}"\n'],
    ["not json\n", "paddock: not json\n"],
  ])("formats %s", (line, expected) => {
    expect(formatLogLine(line)).toBe(expected);
  });
});
