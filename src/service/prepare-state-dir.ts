import { existsSync, realpathSync } from "node:fs";
import { access, constants, mkdir, stat } from "node:fs/promises";
import { dirname, parse, resolve, sep } from "node:path";
import { PaddockError } from "../errors.ts";

/** State folder when PADDOCK_STATE_DIR is unset or empty, relative to the working folder. */
export const DEFAULT_STATE_DIR = ".paddock";

/** Kernel file systems: nothing can be stored there, and Node 20.20.2's recursive mkdir loops forever on /proc/x (ENOENT). */
const KERNEL_FILE_SYSTEMS = ["/proc", "/sys"];

const HINT = `set it to a folder Paddock can create and write, or leave it empty for ${DEFAULT_STATE_DIR} in the working folder`;

/**
 * Resolves PADDOCK_STATE_DIR (empty counts as unset, as Helm and compose files often leave it),
 * creates the folder and checks that Paddock can write to it. Paths under /proc and /sys are
 * rejected before anything touches them, also when a symbolic link leads there.
 * Every error names the variable and its value.
 */
export async function prepareStateDir(env: NodeJS.ProcessEnv, cwd = process.cwd()): Promise<string> {
  const value = env.PADDOCK_STATE_DIR || DEFAULT_STATE_DIR;
  return prepareStateFolder({ label: `PADDOCK_STATE_DIR=${value}`, path: resolve(cwd, value), hint: HINT });
}

/**
 * Creates the state folder `path` and checks that Paddock can write to it, for callers that take
 * the folder from another setting (`--state-dir`, RUNNER_TEMP). Every error starts with `label`,
 * the setting and its value, and ends with `hint`.
 */
export async function prepareStateFolder(options: { label: string; path: string; hint: string }): Promise<string> {
  const { label, path: stateDir, hint } = options;
  rejectKernelFileSystem({ label, path: stateDir, hint });

  try {
    await createFolders(stateDir);
  } catch (error) {
    throw new PaddockError("USAGE", `${label} could not be created (${(error as Error).message})`, { hint, cause: error });
  }
  if (!(await stat(stateDir)).isDirectory()) throw new PaddockError("USAGE", `${label} is not a folder`, { hint });
  try {
    await access(stateDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new PaddockError("USAGE", `${label} is not writable (${(error as Error).message})`, { hint, cause: error });
  }
  return stateDir;
}

/**
 * Creates `path` and its missing parents with one mkdir per path component, so it stops after
 * at most that many calls. Node's own `mkdir(path, { recursive: true })` retries forever where
 * mkdir of a child fails with ENOENT although its parent exists, as under /proc.
 * An existing entry of any type is skipped; the caller checks that the last one is a folder.
 */
async function createFolders(path: string): Promise<void> {
  const { root } = parse(path);
  let current = root;
  for (const part of path.slice(root.length).split(sep).filter(Boolean)) {
    current = resolve(current, part);
    try {
      await mkdir(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/** Throws a usage error when `path`, or the real path a symbolic link leads to, is under /proc or /sys. */
export function rejectKernelFileSystem(options: { label: string; path: string; hint: string }): void {
  const kernelFileSystem = findKernelFileSystem(options.path);
  if (kernelFileSystem) {
    throw new PaddockError("USAGE", `${options.label} is invalid: ${kernelFileSystem} is a kernel file system, where nothing can be stored`, { hint: options.hint });
  }
}

// Checks the real path of the deepest part that exists, so a symbolic link into /proc is caught too.
function findKernelFileSystem(path: string): string | undefined {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = resolve(realpathSync(existing), path.slice(existing.length).replace(/^[/\\]+/, ""));
  return KERNEL_FILE_SYSTEMS.find((root) => real === root || real.startsWith(`${root}${sep}`) || path === root || path.startsWith(`${root}${sep}`));
}
