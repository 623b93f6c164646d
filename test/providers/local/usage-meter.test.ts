import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { meterCommand, readUsageReport } from "../../../src/providers/local/usage-meter.ts";

describe("usage meter", () => {
  it("prefixes the command with GNU time", () => {
    expect(meterCommand({ argv: ["/bin/sh", "-c", "make"], reportPath: "/.paddock/usage" })).toEqual([
      "/usr/bin/time",
      "--quiet",
      "--format",
      "%U %S %M",
      "--output",
      "/.paddock/usage",
      "--",
      "/bin/sh",
      "-c",
      "make",
    ]);
  });

  it("reads CPU seconds and peak memory", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "paddock-usage-test-")), "usage");
    writeFileSync(path, "1.25 0.50 204800\n");

    expect(await readUsageReport(path)).toEqual({ cpuSeconds: 1.75, peakMemoryBytes: 209_715_200 });
  });

  it("returns undefined for a missing or garbled report", async () => {
    const directory = mkdtempSync(join(tmpdir(), "paddock-usage-test-"));
    writeFileSync(join(directory, "garbled"), "Command terminated by signal 9\n");

    expect(await readUsageReport(join(directory, "missing"))).toBeUndefined();
    expect(await readUsageReport(join(directory, "garbled"))).toBeUndefined();
  });
});
