import type { ConfigProblem } from "./config-problem.ts";
import { parseConfigFile, type FieldLocator } from "./parse-config-file.ts";
import { repoConfigSchema, type RepoConfig } from "./repo-config-schema.ts";

/** Where a repository keeps its Paddock config. */
export const REPO_CONFIG_PATH = ".github/paddock.yml";

/** The outcome of reading a repository's config. */
export type RepoConfigLookup =
  | { kind: "missing" }
  | { kind: "invalid"; problems: ConfigProblem[] }
  | { kind: "valid"; config: RepoConfig; file: string; locate: FieldLocator };

/** Validates config text, or reports the file as missing when there is no text. */
export function readRepoConfig(options: { text: string | undefined; file?: string }): RepoConfigLookup {
  if (options.text === undefined) return { kind: "missing" };
  const file = options.file ?? REPO_CONFIG_PATH;
  const parsed = parseConfigFile({ text: options.text, file, schema: repoConfigSchema });
  return parsed.ok ? { kind: "valid", config: parsed.value, file, locate: parsed.locate } : { kind: "invalid", problems: parsed.problems };
}
