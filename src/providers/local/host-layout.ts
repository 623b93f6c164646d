import { lstat, readlink } from "node:fs/promises";

import type { HostRootEntry } from "./bwrap-args.ts";

/**
 * System paths a step may see, read-only, each bound only when the host has it. /etc gets a
 * folder of its own with a few allowed entries (see `SANDBOX_ETC_PATHS`). /opt, home
 * directories, /work, /var/run and the host /tmp are deliberately absent.
 */
export const SYSTEM_PATHS = ["/usr", "/bin", "/lib", "/lib64", "/sbin"];

/**
 * Reads how the host lays out {@link SYSTEM_PATHS}: each one that exists becomes a directory to
 * bind or a symlink to recreate (merged-/usr systems have `/bin -> usr/bin`).
 */
export async function readHostLayout(paths: string[] = SYSTEM_PATHS): Promise<HostRootEntry[]> {
  const entries: HostRootEntry[] = [];
  for (const systemPath of paths) {
    const stats = await lstat(systemPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (stats === undefined) continue;

    if (stats.isSymbolicLink()) entries.push({ path: systemPath, kind: "symlink", target: await readlink(systemPath) });
    else if (stats.isDirectory()) entries.push({ path: systemPath, kind: "directory" });
  }
  return entries;
}
