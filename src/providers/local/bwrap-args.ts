import path from "node:path";

import { PaddockError } from "../../errors.ts";
import { meterCommand, SANDBOX_USAGE_DIRECTORY, USAGE_FILE_NAME } from "./usage-meter.ts";

/** Path of the checkout inside the sandbox, which is also the working directory of a step. */
export const SANDBOX_WORKSPACE = "/workspace";

/** A top-level system path as it exists on the host: a real directory or a symlink. */
export type HostRootEntry = { path: string; kind: "directory" } | { path: string; kind: "symlink"; target: string };

/**
 * Files under the read-only /etc that hold secrets. Paddock often runs as root, and the
 * sandbox keeps that user's file ownership, so these are covered by empty files.
 */
export const HIDDEN_SYSTEM_FILES = ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd"];
/** Folders under /etc that hold secrets, covered by empty folders. */
export const HIDDEN_SYSTEM_FOLDERS = ["/etc/ssh", "/etc/sudoers.d", "/etc/ssl/private"];

/** Host paths that must never become visible in the sandbox, not even as a parent of the Node directory. */
const PRIVATE_HOST_PATHS = ["/", "/root", "/home", "/work", "/tmp", "/var", "/var/run", "/run"];

/** Everything {@link buildBwrapArgs} needs; the caller reads the host, this module does no I/O. */
export interface BwrapArgsOptions {
  /** System paths to expose read-only, as found on the host (see `readHostLayout`). */
  hostEntries: HostRootEntry[];
  /** Directory that contains the running Node binary; bound read-only when no host entry covers it. */
  nodeDirectory: string;
  /** Host directory of the checkout, bound writable at {@link SANDBOX_WORKSPACE}. */
  workspaceDirectory: string;
  /** Keeps the host network; the local provider cannot filter by host, so only egress `*` turns it on. */
  shareNetwork: boolean;
  /** Secret files and folders that exist on the host and must be covered; see HIDDEN_SYSTEM_FILES. */
  hiddenPaths?: { files: string[]; folders: string[] };
  /** The complete environment of the step (see `buildStepEnv`). */
  env: Record<string, string>;
  /** Shell command run by `/bin/sh -c`. */
  command: string;
  /** Host folder bound at SANDBOX_USAGE_DIRECTORY, where GNU time writes the step's usage; no metering without it. */
  usageDirectory?: string;
}

/**
 * Builds the bwrap argument list for one step: every namespace unshared (the network too unless
 * `shareNetwork`), no capabilities, the system read-only with its secret files covered, a private
 * /tmp, /dev and /proc of its own, and the checkout writable at /workspace. The host environment
 * is cleared.
 */
export function buildBwrapArgs(options: BwrapArgsOptions): string[] {
  const args = ["--die-with-parent", "--unshare-all"];
  if (options.shareNetwork) args.push("--share-net");
  args.push("--new-session", "--cap-drop", "ALL");

  for (const entry of options.hostEntries) {
    if (entry.kind === "symlink") args.push("--symlink", entry.target, entry.path);
    else args.push("--ro-bind", entry.path, entry.path);
  }
  for (const file of options.hiddenPaths?.files ?? []) args.push("--ro-bind", "/dev/null", file);
  for (const folder of options.hiddenPaths?.folders ?? []) args.push("--tmpfs", folder);
  args.push("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp");

  // Bound after the tmpfs so that a Node installed under /tmp is not hidden by it.
  if (!isCoveredByHostEntries(options.nodeDirectory, options.hostEntries)) {
    assertNodeDirectoryIsBindable(options.nodeDirectory);
    args.push("--ro-bind", options.nodeDirectory, options.nodeDirectory);
  }

  args.push("--bind", options.workspaceDirectory, SANDBOX_WORKSPACE, "--chdir", SANDBOX_WORKSPACE);
  args.push("--clearenv");
  for (const [name, value] of Object.entries(options.env)) args.push("--setenv", name, value);

  const shell = ["/bin/sh", "-c", options.command];
  if (options.usageDirectory === undefined) {
    args.push("--", ...shell);
    return args;
  }
  args.push("--bind", options.usageDirectory, SANDBOX_USAGE_DIRECTORY);
  args.push("--", ...meterCommand({ argv: shell, reportPath: `${SANDBOX_USAGE_DIRECTORY}/${USAGE_FILE_NAME}` }));
  return args;
}

function isCoveredByHostEntries(directory: string, entries: HostRootEntry[]): boolean {
  return entries.some((entry) => isSameOrInside(directory, entry.path));
}

function assertNodeDirectoryIsBindable(directory: string): void {
  if (!path.isAbsolute(directory)) {
    throw new PaddockError("SANDBOX_UNAVAILABLE", `Node directory ${directory} is not an absolute path`, {
      hint: "Run Paddock with an absolute Node path (process.execPath)",
    });
  }
  const exposed = PRIVATE_HOST_PATHS.find((privatePath) => isSameOrInside(privatePath, directory));
  if (exposed !== undefined) {
    throw new PaddockError("SANDBOX_UNAVAILABLE", `binding the Node directory ${directory} would expose the host path ${exposed}`, {
      hint: "Install Node in a directory of its own, for example under /usr/local or /opt",
    });
  }
}

/** True when `child` is `parent` or lies below it. */
function isSameOrInside(child: string, parent: string): boolean {
  const relative = path.posix.relative(parent, child);
  return relative === "" || (relative !== ".." && !relative.startsWith("../") && !path.posix.isAbsolute(relative));
}
