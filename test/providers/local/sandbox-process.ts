import { readFile, readdir, readlink } from "node:fs/promises";
import path from "node:path";

/**
 * Shell snippet that starts `sleep 300` in the background and writes its PID, plus the PID
 * namespace it sees, to `sleep.pid` in the working directory.
 */
export const START_BACKGROUND_SLEEP = 'sleep 300 & echo "$! $(readlink /proc/$!/ns/pid)" > sleep.pid; wait';

/** Waits until `file` exists and returns its content; gives up after `attempts` × 20 ms. */
export async function waitForFile(file: string, attempts = 500): Promise<string> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const content = await readFile(file, "utf8").catch(() => undefined);
    if (content !== undefined && content.endsWith("\n")) return content;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} did not appear`);
}

/**
 * Finds the host PID of a process that a sandbox reported as `namespacePid` in the PID namespace
 * `namespaceLink` (such as `pid:[4026532870]`), by matching /proc/<pid>/ns/pid and NSpid.
 */
export async function findHostPid(namespacePid: number, namespaceLink: string): Promise<number> {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const link = await readlink(path.join("/proc", entry, "ns", "pid")).catch(() => undefined);
    if (link !== namespaceLink) continue;

    const status = await readFile(path.join("/proc", entry, "status"), "utf8").catch(() => "");
    const nsPids = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
    if (nsPids.at(-1) === namespacePid) return Number(entry);
  }
  throw new Error(`no host process is PID ${namespacePid} in ${namespaceLink}`);
}

/** True while `pid` exists and is not a zombie. */
export async function isProcessRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}
