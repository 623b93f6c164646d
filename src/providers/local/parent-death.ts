import { access, constants } from "node:fs/promises";

import { PaddockError } from "../../errors.ts";

/** setpriv from util-linux, which sets the parent-death signal of the program it runs. */
export const PARENT_DEATH_PROGRAM = "/usr/bin/setpriv";

/**
 * Shell program that runs its arguments in the background and, on SIGTERM, kills its whole
 * process group with SIGKILL. It exits with the status of its arguments otherwise.
 */
const GROUP_GUARD = "trap 'kill -s KILL 0' TERM; \"$@\" & wait $!";

/**
 * Prefixes a command so that the kernel sends it SIGKILL when the process that spawned it dies,
 * even by SIGKILL. Only the command itself gets the signal, not its children.
 */
export function killWithParent(argv: string[]): [string, ...string[]] {
  return [PARENT_DEATH_PROGRAM, "--pdeathsig", "KILL", "--", ...argv];
}

/**
 * Prefixes a command so that it and every process of its process group die when the process that
 * spawned it dies: setpriv gives a guard shell SIGTERM on the parent's death, and the guard kills
 * the group. A process that leaves the group (setsid) escapes it.
 *
 * NOTE: the command runs as a background job of the guard, so a POSIX shell starts it with
 * SIGINT and SIGQUIT ignored.
 */
export function killGroupWithParent(argv: string[]): [string, ...string[]] {
  return [PARENT_DEATH_PROGRAM, "--pdeathsig", "TERM", "--", "/bin/sh", "-c", GROUP_GUARD, "paddock-guard", ...argv];
}

/** Throws `SANDBOX_UNAVAILABLE` when setpriv is missing, since an unsandboxed step would then outlive Paddock. */
export async function assertParentDeathProgram(options: { path?: string } = {}): Promise<void> {
  const program = options.path ?? PARENT_DEATH_PROGRAM;
  try {
    await access(program, constants.X_OK);
  } catch (error) {
    throw new PaddockError("SANDBOX_UNAVAILABLE", `setpriv not found at ${program}: unsandboxed steps need it to die with Paddock`, {
      hint: 'Install util-linux ("apt-get install util-linux"), or run steps in bubblewrap with sandbox: "bwrap"',
      cause: error,
    });
  }
}
