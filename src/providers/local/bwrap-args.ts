import path from "node:path";

import { PaddockError } from "../../errors.ts";
import type { SandboxEtcEntry } from "./sandbox-etc.ts";

/** Path of the checkout inside the sandbox, which is also the working directory of a step. */
export const SANDBOX_WORKSPACE = "/workspace";

/** A top-level system path as it exists on the host: a real directory or a symlink. */
export type HostRootEntry = { path: string; kind: "directory" } | { path: string; kind: "symlink"; target: string };

/** Host devices bound into a sandbox with `devices: "minimal"`. */
export const MINIMAL_DEVICES = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"];

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
  /**
   * Keeps the network namespace bwrap starts in without the host's network settings: a step
   * started by nsenter in the services' namespace reaches them on 127.0.0.1 and nothing else.
   */
  keepNetworkNamespace?: boolean;
  /** Entries of the step's /etc (see `prepareSandboxEtc`); without them /etc is an empty folder. */
  etcEntries?: SandboxEtcEntry[];
  /** The complete environment of the step (see `buildStepEnv`). */
  env: Record<string, string>;
  /** Shell command run by `/bin/sh -c`. */
  command: string;
  /** Program and arguments run in place of `/bin/sh -c command`; the service sandbox runs its supervisor this way. */
  program?: string[];
  /**
   * `full` (the default) gives the sandbox bwrap's own /dev with a pseudo-terminal. `minimal` binds
   * a few host devices instead, because mounting devpts makes bwrap nest a second user namespace,
   * which then owns the network namespace and keeps unprivileged steps from joining it.
   */
  devices?: "full" | "minimal";
  /** File descriptor on which bwrap writes its JSON status, including the sandbox's `child-pid`. */
  infoFd?: number;
}

/**
 * Builds the bwrap argument list for one step: every namespace unshared (the network too unless
 * `shareNetwork`), no capabilities, the system folders read-only, an /etc that holds only the
 * listed entries, a private /tmp, /dev and /proc of its own, and the checkout writable at
 * /workspace. The host environment is cleared.
 */
export function buildBwrapArgs(options: BwrapArgsOptions): string[] {
  // With --as-pid-1 the step's shell is the PID namespace's init, which outer bwrap reaps itself.
  // bwrap's own init is never reaped by outer bwrap, so GNU time around bwrap would miss the step's usage.
  const args = ["--die-with-parent", "--unshare-all", "--as-pid-1"];
  if (options.shareNetwork || options.keepNetworkNamespace) args.push("--share-net");
  args.push("--new-session", "--cap-drop", "ALL");

  for (const entry of options.hostEntries) {
    if (entry.kind === "symlink") args.push("--symlink", entry.target, entry.path);
    else args.push("--ro-bind", entry.path, entry.path);
  }
  args.push("--tmpfs", "/etc");
  for (const entry of options.etcEntries ?? []) {
    if (!entry.networkOnly || options.shareNetwork) args.push("--ro-bind", entry.source, entry.target);
  }
  args.push("--remount-ro", "/etc");
  if (options.devices === "minimal") {
    for (const device of MINIMAL_DEVICES) args.push("--dev-bind", device, device);
    args.push("--tmpfs", "/dev/shm", "--symlink", "/proc/self/fd", "/dev/fd");
  } else {
    args.push("--dev", "/dev");
  }
  args.push("--proc", "/proc", "--tmpfs", "/tmp");

  // Bound after the tmpfs so that a Node installed under /tmp is not hidden by it.
  if (!isCoveredByHostEntries(options.nodeDirectory, options.hostEntries)) {
    assertNodeDirectoryIsBindable(options.nodeDirectory);
    args.push("--ro-bind", options.nodeDirectory, options.nodeDirectory);
  }

  args.push("--bind", options.workspaceDirectory, SANDBOX_WORKSPACE, "--chdir", SANDBOX_WORKSPACE);
  args.push("--clearenv");
  for (const [name, value] of Object.entries(options.env)) args.push("--setenv", name, value);
  if (options.infoFd !== undefined) args.push("--info-fd", String(options.infoFd));

  if (options.program !== undefined) args.push("--", ...options.program);
  else args.push("--", "/bin/sh", "-c", options.command);
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
