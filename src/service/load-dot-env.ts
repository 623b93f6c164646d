import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

/**
 * Copies the settings of `.env` in the working folder into `env`, the way Probot's `run()` does
 * (values in the file win over the process environment). Paddock reads its own PADDOCK_*
 * settings before it calls `run()`, so without this a PADDOCK_* line in `.env` would be ignored
 * while APP_ID from the same file took effect. A missing file is not an error.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv, directory = process.cwd()): void {
  let text: string;
  try {
    text = readFileSync(join(directory, ".env"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  Object.assign(env, parseEnv(text));
}
