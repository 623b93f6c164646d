import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { StepUsage } from "../../pipeline/step-result.ts";

/** GNU time (Debian package `time`), which reports the CPU time and peak memory of a command and its children. */
export const USAGE_PROGRAM = "/usr/bin/time";
/** Folder inside the sandbox where the usage report is written, bound to a host folder per step. */
export const SANDBOX_USAGE_DIRECTORY = "/.paddock";
/** Name of the usage report in that folder. */
export const USAGE_FILE_NAME = "usage";
/** Report format: user CPU seconds, system CPU seconds, peak resident memory in KiB. */
const USAGE_FORMAT = "%U %S %M";

/** True when GNU time is installed, so steps can be metered. */
export function canMeterUsage(): boolean {
  return existsSync(USAGE_PROGRAM);
}

/**
 * Prefixes a command with GNU time writing its report to `reportPath`. The peak memory is the
 * largest resident size of the command or of any child it waited for, which is how the kernel
 * reports the maximum resident set size of children.
 */
export function meterCommand(options: { argv: string[]; reportPath: string }): [string, ...string[]] {
  return [USAGE_PROGRAM, "--quiet", "--format", USAGE_FORMAT, "--output", options.reportPath, "--", ...options.argv];
}

/** Reads a usage report; undefined when the step was killed before GNU time could write it. */
export async function readUsageReport(path: string): Promise<StepUsage | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  const match = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)\s*$/m.exec(text ?? "");
  if (!match) return undefined;
  const cpuSeconds = Math.round((Number(match[1]) + Number(match[2])) * 100) / 100;
  return { cpuSeconds, peakMemoryBytes: Number(match[3]) * 1024 };
}
