import { existsSync, realpathSync } from "node:fs";
import { access, constants, mkdir, stat } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { PaddockError } from "../errors.ts";

/** State folder when PADDOCK_STATE_DIR is unset or empty, relative to the working folder. */
export const DEFAULT_STATE_DIR = ".paddock";

/** Kernel file systems: nothing can be stored there, and Node 20.20.2's recursive mkdir was seen to hang under /proc. */
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
  const stateDir = resolve(cwd, value);
  const label = `PADDOCK_STATE_DIR=${value}`;
  const kernelFileSystem = findKernelFileSystem(stateDir);
  if (kernelFileSystem) {
    throw new PaddockError("USAGE", `${label} is invalid: ${kernelFileSystem} is a kernel file system, where nothing can be stored`, { hint: HINT });
  }

  try {
    await mkdir(stateDir, { recursive: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === "EEXIST" ? "is not a folder" : `could not be created (${message})`;
    throw new PaddockError("USAGE", `${label} ${reason}`, { hint: HINT, cause: error });
  }
  if (!(await stat(stateDir)).isDirectory()) throw new PaddockError("USAGE", `${label} is not a folder`, { hint: HINT });
  try {
    await access(stateDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new PaddockError("USAGE", `${label} is not writable (${(error as Error).message})`, { hint: HINT, cause: error });
  }
  return stateDir;
}

// Checks the real path of the deepest part that exists, so a symbolic link into /proc is caught too.
function findKernelFileSystem(path: string): string | undefined {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = resolve(realpathSync(existing), path.slice(existing.length).replace(/^[/\\]+/, ""));
  return KERNEL_FILE_SYSTEMS.find((root) => real === root || real.startsWith(`${root}${sep}`) || path === root || path.startsWith(`${root}${sep}`));
}
