import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { meterCommand, readUsageReport } from "../../../src/providers/local/usage-meter.ts";

describe("usage meter", () => {
  it("prefixes the command with GNU time", () => {
    expect(meterCommand({ argv: ["/usr/bin/bwrap", "--", "make"], reportPath: "/tmp/paddock-usage-1/usage" })).toEqual([
      "/usr/bin/time",
      "--quiet",
      "--format",
      "%U %S %M",
      "--output",
      "/tmp/paddock-usage-1/usage",
      "--",
      "/bin/sh",
      "-c",
      'exec "$@" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-',
      "paddock-close-fds",
      "/usr/bin/bwrap",
      "--",
      "make",
    ]);
  });

  it("closes the report's descriptor before the command runs", () => {
    const directory = mkdtempSync(join(tmpdir(), "paddock-usage-test-"));
    const argv = meterCommand({ argv: ["/bin/sh", "-c", "ls /proc/self/fd"], reportPath: join(directory, "usage") });

    const listed = execFileSync(argv[0], argv.slice(1), { encoding: "utf8" }).trim().split("\n").map(Number);

    // Descriptor 3 is the listing's own; GNU time's report took 3 too, so it was closed first.
    expect(listed.filter((fd) => fd < 10)).toEqual([0, 1, 2, 3]);
    expect(readFileSync(join(directory, "usage"), "utf8")).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\n$/);
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
