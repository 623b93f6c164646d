import { randomUUID } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";

/**
 * Environment variable that marks every process an unsandboxed step or service host starts,
 * with a random value per run. Children inherit it, including those that leave the process
 * group with setsid, so Paddock finds them through /proc/<pid>/environ.
 */
export const RUN_MARKER_VARIABLE = "PADDOCK_RUN_ID";

/** Rounds of scanning /proc, because a process may fork between one scan and its kill. */
const MAX_KILL_ROUNDS = 20;

/** Returns a fresh value for {@link RUN_MARKER_VARIABLE}. */
export function createRunMarker(): string {
  return randomUUID();
}

/**
 * Lists the live processes whose initial environment contains `PADDOCK_RUN_ID=<marker>`.
 *
 * NOTE: /proc/<pid>/environ shows the environment a process was started with, and only for
 * processes of Paddock's own user. A process that execs with a cleared environment (`env -i`),
 * or runs as another user (setuid), is not found.
 */
export async function findMarkedProcesses(marker: string, procDirectory = "/proc"): Promise<number[]> {
  const entry = Buffer.from(`${RUN_MARKER_VARIABLE}=${marker}\0`);
  const found: number[] = [];
  for (const name of await readdir(procDirectory)) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = await readFile(`${procDirectory}/${name}/environ`).catch(() => undefined);
    if (environ === undefined) continue;
    if (environ.subarray(0, entry.length).equals(entry) || environ.includes(Buffer.concat([Buffer.from("\0"), entry]))) found.push(Number(name));
  }
  return found;
}

/**
 * Kills every process marked with `marker` with SIGKILL, scanning again until a scan finds none,
 * and returns the PIDs killed, each once. A zombie has an empty environ, so it is not found
 * again, but a process still exiting on a busy machine can be found and signalled twice.
 */
export async function killMarkedProcesses(marker: string): Promise<number[]> {
  const killed = new Set<number>();
  for (let round = 0; round < MAX_KILL_ROUNDS; round += 1) {
    const found = await findMarkedProcesses(marker);
    if (found.length === 0) break;
    for (const pid of found) {
      try {
        process.kill(pid, "SIGKILL");
        killed.add(pid);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return [...killed];
}
