import { readFile, readdir } from "node:fs/promises";

/** Lists the live processes (not zombies) whose process group is one of `groups`. */
export async function findProcessGroupMembers(groups: readonly number[]): Promise<number[]> {
  const groupIds = new Set(groups);
  const members: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => undefined);
    if (stat === undefined) continue;
    // After the command name in parentheses come: state, parent pid, process group.
    const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (state !== "Z" && state !== "X" && groupIds.has(Number(group))) members.push(Number(entry));
  }
  return members;
}

/** Waits until the process groups have no live member, and returns the members still alive after `timeoutMs`. */
export async function waitForProcessGroupsEmpty(groups: readonly number[], timeoutMs: number): Promise<number[]> {
  if (groups.length === 0) return [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const members = await findProcessGroupMembers(groups);
    if (members.length === 0 || Date.now() >= deadline) return members;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
