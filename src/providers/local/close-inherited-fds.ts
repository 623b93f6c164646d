import { access, constants } from "node:fs/promises";

import { PaddockError } from "../../errors.ts";

/** Bash, which runs the descriptor closer, because dash (Debian's /bin/sh) cannot name a descriptor above 9 in a redirection. */
export const CLOSER_SHELL = "/bin/bash";

/**
 * Bash program that closes every open descriptor above 2, except those listed in
 * PADDOCK_KEEP_FDS, and then execs its arguments. Node opens its own descriptors with
 * O_CLOEXEC, but descriptors the Node process inherited (from a service manager, a shell or a
 * test runner) stay open across exec and would otherwise reach every step.
 * The glob's own directory descriptor is already closed when the loop runs, and closing a
 * closed descriptor is silent in bash.
 */
const CLOSE_AND_EXEC = [
  'keep=" ${PADDOCK_KEEP_FDS-} "; unset PADDOCK_KEEP_FDS',
  'for fd in /proc/self/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ] && [ "${keep#* $fd }" = "$keep" ]; then exec {fd}>&-; fi; done',
  'exec "$@"',
].join("\n");

/**
 * Prefixes a command so that it starts with descriptors 0, 1 and 2 only, plus `keep` (such as
 * bwrap's status descriptor). Bash execs the command in its own process, so the process id, the
 * process group and the parent stay those Node spawned.
 */
export function closeInheritedFds(argv: string[], options: { keep?: number[] } = {}): [string, ...string[]] {
  const keep = options.keep ?? [];
  const program = keep.length === 0 ? CLOSE_AND_EXEC : `PADDOCK_KEEP_FDS="${keep.join(" ")}"\n${CLOSE_AND_EXEC}`;
  return [CLOSER_SHELL, "-c", program, "paddock-close-fds", ...argv];
}

/** Throws `SANDBOX_UNAVAILABLE` when bash is missing, since steps would then inherit Paddock's stray descriptors. */
export async function assertCloserShell(options: { path?: string } = {}): Promise<void> {
  const program = options.path ?? CLOSER_SHELL;
  try {
    await access(program, constants.X_OK);
  } catch (error) {
    throw new PaddockError("SANDBOX_UNAVAILABLE", `bash not found at ${program}: steps need it to start without the descriptors Paddock inherited`, {
      hint: 'Install bash ("apt-get install bash")',
      cause: error,
    });
  }
}
