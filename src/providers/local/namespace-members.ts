import { readFile, readdir, readlink } from "node:fs/promises";

/** A namespace as /proc names it, such as `net:[4026532182]`, with its kind. */
export interface NamespaceLink {
  kind: "net" | "pid";
  link: string;
}

/** Reads the namespace links of a process; undefined for a process that is gone. */
export async function readNamespaceLinks(pid: number, kinds: NamespaceLink["kind"][]): Promise<NamespaceLink[] | undefined> {
  try {
    return await Promise.all(kinds.map(async (kind) => ({ kind, link: await readlink(`/proc/${pid}/ns/${kind}`) })));
  } catch {
    return undefined;
  }
}

/**
 * Lists the live processes (not zombies) in any of the namespaces. Processes of other users
 * whose links cannot be read are left out, which is enough for Paddock's own sandboxes.
 */
export async function findNamespaceMembers(namespaces: readonly NamespaceLink[]): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const links = await readNamespaceLinks(pid, [...new Set(namespaces.map((namespace) => namespace.kind))]);
    if (links === undefined || !links.some((link) => namespaces.some((namespace) => namespace.link === link.link))) continue;
    if (await isLive(pid)) members.push(pid);
  }
  return members;
}

/** Waits until no live process is left in the namespaces; returns the ones left after `timeoutMs`. */
export async function waitForNamespacesEmpty(namespaces: readonly NamespaceLink[], timeoutMs: number): Promise<number[]> {
  if (namespaces.length === 0) return [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const members = await findNamespaceMembers(namespaces);
    if (members.length === 0 || Date.now() >= deadline) return members;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function isLive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}
