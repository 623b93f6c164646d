import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

/**
 * Copies the settings in `.env` of `directory` into `env`, with the file winning as in Probot's `run()`.
 * The app reads PADDOCK_* settings before `run()`, so without this call it would ignore them in `.env`.
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
