import { access, constants } from "node:fs/promises";

import { PaddockError } from "../../errors.ts";

/** Default bubblewrap path, the one Debian and Ubuntu install. */
export const DEFAULT_BWRAP_PATH = "/usr/bin/bwrap";

/**
 * Checks that the bubblewrap binary exists and is executable, and returns its path.
 * Throws `SANDBOX_UNAVAILABLE` otherwise; it never falls back to running unsandboxed.
 */
export async function findBwrap(options: { path?: string } = {}): Promise<string> {
  const bwrapPath = options.path ?? DEFAULT_BWRAP_PATH;
  try {
    await access(bwrapPath, constants.X_OK);
    return bwrapPath;
  } catch (error) {
    throw new PaddockError("SANDBOX_UNAVAILABLE", `bubblewrap not found at ${bwrapPath}: the local provider runs every step in a bubblewrap sandbox`, {
      hint: 'Install it with "apt-get install bubblewrap", or create the local provider with sandbox: "none" to run steps unsandboxed on the host',
      cause: error,
    });
  }
}
