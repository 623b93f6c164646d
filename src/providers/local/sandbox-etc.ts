import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";

/**
 * Paths under /etc that a step sees read-only, relative to /etc: host name resolution, the
 * dynamic linker's cache and configuration, Debian's alternatives, the time zone, and CA
 * certificates in the Debian and the Red Hat layouts. Everything else under the host's /etc stays
 * hidden, because a secret kept there (a private key, a password file) would be readable by every step.
 */
export const SANDBOX_ETC_PATHS = [
  "hosts",
  "nsswitch.conf",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "alternatives",
  "localtime",
  "ssl/certs",
  "ssl/openssl.cnf",
  "ca-certificates",
  "pki/tls/certs",
  "pki/ca-trust/extracted",
];

/** Paths under /etc that only a step with the network sees. */
export const SANDBOX_NETWORK_ETC_PATHS = ["resolv.conf"];

/** One file or folder bound read-only under the sandbox's /etc. */
export interface SandboxEtcEntry {
  /** Host path; a symbolic link is followed, so its target's content is what the step sees. */
  source: string;
  /** Path inside the sandbox, such as `/etc/hosts`. */
  target: string;
  /** Bound only when the step has the network. */
  networkOnly: boolean;
}

/** The user and group a step runs as, for the generated /etc/passwd and /etc/group. */
export interface SandboxAccount {
  uid: number;
  gid: number;
  userName: string;
  groupName: string;
}

/**
 * Lists the {@link SANDBOX_ETC_PATHS} that exist under `hostEtc`, and writes /etc/passwd and
 * /etc/group for the sandbox into `accountsDirectory`: they name root, the account the step runs
 * as and nobody, and none of the host's other accounts.
 */
export async function prepareSandboxEtc(options: { hostEtc: string; accountsDirectory: string; account?: SandboxAccount }): Promise<SandboxEtcEntry[]> {
  const entries: SandboxEtcEntry[] = [];
  for (const [relativePaths, networkOnly] of [[SANDBOX_ETC_PATHS, false], [SANDBOX_NETWORK_ETC_PATHS, true]] as const) {
    for (const relativePath of relativePaths) {
      const source = path.join(options.hostEtc, relativePath);
      // bwrap cannot bind a missing path or a dangling symbolic link, such as a resolv.conf of a stopped resolver.
      if (await exists(source)) entries.push({ source, target: path.posix.join("/etc", relativePath), networkOnly });
    }
  }

  const account = options.account ?? (await readProcessAccount(options.hostEtc));
  const files = buildAccountFiles(account);
  await mkdir(options.accountsDirectory, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(options.accountsDirectory, name);
    // Written beside and renamed, so a step starting meanwhile never binds a half-written file.
    await writeFile(`${file}.${process.pid}.tmp`, text, { mode: 0o644 });
    await rename(`${file}.${process.pid}.tmp`, file);
    entries.push({ source: file, target: `/etc/${name}`, networkOnly: false });
  }
  return entries;
}

/** Builds the sandbox's `passwd` and `group`: root, the step's account when it is not root, and nobody. */
export function buildAccountFiles(account: SandboxAccount): { passwd: string; group: string } {
  const users = [`root:x:0:0:root:/root:/bin/sh`];
  const groups = [`root:x:0:`];
  if (account.uid !== 0) users.push(`${account.userName}:x:${account.uid}:${account.gid}::/tmp:/bin/sh`);
  if (account.gid !== 0) groups.push(`${account.groupName}:x:${account.gid}:`);
  // A user namespace shows host ids it does not map as 65534.
  users.push("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin");
  groups.push("nogroup:x:65534:");
  return { passwd: `${users.join("\n")}\n`, group: `${groups.join("\n")}\n` };
}

/**
 * Reads the account Paddock runs as, which bwrap keeps for the step. The group name comes from
 * the host's group file, or is the user name when the file does not list the group.
 */
async function readProcessAccount(hostEtc: string): Promise<SandboxAccount> {
  const { uid, gid, username } = userInfo();
  const groupFile = await readFile(path.join(hostEtc, "group"), "utf8").catch(() => "");
  const groupName = groupFile.split("\n").map((line) => line.split(":")).find((fields) => fields[2] === String(gid))?.[0];
  return { uid, gid, userName: sanitizeAccountName(username), groupName: sanitizeAccountName(groupName ?? username) };
}

/** Keeps a name usable in a passwd line: no colon or newline, and never empty. */
function sanitizeAccountName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return cleaned === "" ? "paddock" : cleaned;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
