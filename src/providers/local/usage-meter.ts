import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { StepUsage } from "../../pipeline/step-result.ts";
import { PARENT_DEATH_PROGRAM } from "./parent-death.ts";

/** GNU time (Debian package `time`), which reports the CPU time and peak memory of a command and its children. */
export const USAGE_PROGRAM = "/usr/bin/time";
/** Name of the usage report in the step's host folder, which the sandbox never binds. */
export const USAGE_FILE_NAME = "usage";
/** Report format: user CPU seconds, system CPU seconds, peak resident memory in KiB. */
const USAGE_FORMAT = "%U %S %M";

/**
 * Shell program that runs its arguments with file descriptors 3 to 9 closed. GNU time 1.9 opens
 * its report without close-on-exec (as descriptor 3, the first free one) and bwrap passes open
 * descriptors into the sandbox, so without this a step could write into its own report.
 */
export const CLOSE_INHERITED_FDS = 'exec "$@" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-';

/**
 * True when steps can be metered: GNU time runs outside the sandbox, and setpriv (util-linux)
 * makes it die with Paddock, so that bwrap's --die-with-parent still takes the sandbox down.
 */
export function canMeterUsage(): boolean {
  return existsSync(USAGE_PROGRAM) && existsSync(PARENT_DEATH_PROGRAM);
}

/**
 * Prefixes a command with GNU time writing its report to `reportPath`. The peak memory is the
 * largest resident size of the command or of any child it waited for, which is how the kernel
 * reports the maximum resident set size of children.
 */
export function meterCommand(options: { argv: string[]; reportPath: string }): [string, ...string[]] {
  return [USAGE_PROGRAM, "--quiet", "--format", USAGE_FORMAT, "--output", options.reportPath, "--", "/bin/sh", "-c", CLOSE_INHERITED_FDS, "paddock-close-fds", ...options.argv];
}

/** Reads a usage report; undefined when the step was killed before GNU time could write it. */
export async function readUsageReport(path: string): Promise<StepUsage | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  const match = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)\s*$/m.exec(text ?? "");
  if (!match) return undefined;
  const cpuSeconds = Math.round((Number(match[1]) + Number(match[2])) * 100) / 100;
  return { cpuSeconds, peakMemoryBytes: Number(match[3]) * 1024 };
}
