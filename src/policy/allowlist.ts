/** The allowlist entry that admits everything. */
export const ANY = "*";

/**
 * Returns whether a host or registry matches an allowlist or denylist entry: `*` matches anything,
 * `*.example.com` matches any subdomain of example.com (not example.com itself), and anything
 * else matches case-insensitively and exactly.
 */
export function matchesEntry(value: string, entry: string): boolean {
  const candidate = value.toLowerCase();
  const pattern = entry.toLowerCase();
  if (pattern === ANY) return true;
  if (pattern.startsWith("*.")) return candidate.endsWith(pattern.slice(1)) && candidate.length > pattern.length - 1;
  return candidate === pattern;
}

/** Returns whether any entry of the list matches the value. */
export function matchesAny(value: string, list: readonly string[]): boolean {
  return list.some((entry) => matchesEntry(value, entry));
}

/**
 * Intersects two allowlists: an entry survives when the other list admits it. `*` on one side
 * leaves the other side unchanged. The result is sorted and free of duplicates.
 */
export function intersectAllowlists(left: readonly string[], right: readonly string[]): string[] {
  if (left.includes(ANY)) return unique(right);
  if (right.includes(ANY)) return unique(left);
  return unique([...left.filter((entry) => matchesAny(entry, right)), ...right.filter((entry) => matchesAny(entry, left))]);
}

/** Joins denylists; the result is sorted and free of duplicates. */
export function unionDenylists(left: readonly string[], right: readonly string[]): string[] {
  return unique([...left, ...right]);
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list.map((entry) => entry.toLowerCase()))].sort();
}
