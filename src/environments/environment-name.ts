import { createHash } from "node:crypto";
import { formatEnvironmentKey, type EnvironmentKey } from "./environment-key.ts";

/** Longest DNS-1123 label, the limit on namespace names and label values. */
export const MAX_DNS_LABEL_LENGTH = 63;
/** Hex characters of the identity hash appended to every name (40 bits). */
export const NAME_HASH_LENGTH = 10;

/** Hashes the full, unsanitised identity; the same key always gives the same hash. */
export function hashEnvironmentKey(key: EnvironmentKey): string {
  return createHash("sha256").update(formatEnvironmentKey(key)).digest("hex").slice(0, NAME_HASH_LENGTH);
}

/**
 * Reduces any text to DNS-1123 characters: accents dropped, lowercase, every other character
 * turned into `-`, repeated `-` collapsed, none at either end.
 */
export function sanitizeDnsLabel(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * Builds the environment's name: a readable part from the repository name and the pull request
 * or branch, cut to fit, then `-` and the identity hash. The result is a DNS-1123 label of at most
 * 63 characters. The hash alone keeps names unique, so readable parts may collide or be empty.
 * NOTE: renaming the repository changes the readable part and so the name, but not the key label.
 */
export function nameEnvironment(options: { repositoryName: string; key: EnvironmentKey }): string {
  const { repositoryName, key } = options;
  const subject = "pullRequest" in key ? `pr-${key.pullRequest}` : key.branch;
  const readable = sanitizeDnsLabel(`${repositoryName}-${subject}`);
  const room = MAX_DNS_LABEL_LENGTH - NAME_HASH_LENGTH - 1;
  const prefix = readable.slice(0, room).replace(/-+$/, "") || "env";
  return `${prefix}-${hashEnvironmentKey(key)}`;
}
