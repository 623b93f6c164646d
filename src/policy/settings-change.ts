import type { RepoEnvironment } from "../config/repo-config-schema.ts";

/** Most changed fields listed on a check run; the rest are counted. */
export const MAX_LISTED_CHANGES = 20;

/**
 * Lists what a pull request changes in the environment settings, one line per field, such as
 * `environment.ttl: 2h on the default branch, 4h in this pull request`. Empty when nothing
 * changes. Settings are read from the default branch, so these changes apply only after merge.
 */
export function describeSettingsChange(options: { base: RepoEnvironment | undefined; head: RepoEnvironment | undefined }): string[] {
  const before = flatten(options.base ?? {}, "environment");
  const after = flatten(options.head ?? {}, "environment");
  const fields = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes = fields
    .filter((field) => before.get(field) !== after.get(field))
    .map((field) => `${field}: ${before.get(field) ?? "unset"} on the default branch, ${after.get(field) ?? "unset"} in this pull request`);
  if (changes.length <= MAX_LISTED_CHANGES) return changes;
  return [...changes.slice(0, MAX_LISTED_CHANGES), `and ${changes.length - MAX_LISTED_CHANGES} more changed fields`];
}

// Lists are compared whole, so a reordered egress list shows as one changed field.
function flatten(value: unknown, prefix: string, into = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, `${prefix}.${key}`, into);
  } else if (value !== undefined) {
    into.set(prefix, Array.isArray(value) ? `[${value.join(", ")}]` : String(value));
  }
  return into;
}
