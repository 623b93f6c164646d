/** Replacement text of a secret in an audit record. */
export const REDACTED = "[REDACTED]";

// Each pattern matches a credential together with the text that marks it as one. They are
// global regular expressions, so `replace` removes every occurrence.
const SECRET_PATTERNS: readonly RegExp[] = [
  // PEM blocks (private keys, certificates), also when the END line was cut off.
  /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g,
  // GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_), installation (ghs_), refresh (ghr_).
  /\bgh[pousr]_[A-Za-z0-9_]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{16,}/g,
  // Authorization header values and bare bearer or basic credentials.
  /\b(authorization|proxy-authorization)\s*[:=]\s*\S+(\s+[^\s,;"']+)?/gi,
  /\bbearer\s+[A-Za-z0-9\-._~+/]{8,}=*/gi,
  /\b(basic|token)\s+[A-Za-z0-9\-._~+/]{20,}=*/gi,
  // JSON Web Tokens (the app's JWT, Kubernetes service-account tokens).
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // Kubeconfig and similar YAML or JSON secret fields with their values.
  /["']?\b(client-key-data|client-certificate-data|certificate-authority-data|client-key|token|id-token|refresh-token|password|secret|api[-_]?key|access[-_]?key)["']?\s*[:=]\s*["']?[^\s"',}]+/gi,
  // Credentials in URLs such as https://user:password@host.
  /(?<=[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+(?=@)/gi,
  // Cloud access keys and Slack tokens.
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// A whole kubeconfig pasted into a field: everything is replaced, not only the known keys.
const KUBECONFIG_MARKERS = [/\bkind:\s*Config\b/, /\bclusters:/, /\busers:/];

/**
 * Removes secrets from one string: tokens (`ghp_`, `ghs_`, `github_pat_` and the other GitHub
 * prefixes, JWTs, bearer and basic credentials), PEM blocks, kubeconfig contents, secret-named
 * YAML or JSON fields and URL credentials. Also replaces lone surrogates with U+FFFD, because
 * canonical JSON rejects them.
 */
export function redactSecrets(text: string): string {
  const wellFormed = text.replace(LONE_SURROGATE, "\uFFFD");
  if (KUBECONFIG_MARKERS.every((marker) => marker.test(wellFormed))) return REDACTED;

  let redacted = wellFormed;
  for (const pattern of SECRET_PATTERNS) redacted = redacted.replace(pattern, REDACTED);
  return redacted;
}

/** Returns a deep copy of JSON data with `redactSecrets` applied to every string, keys included. */
export function redactJson<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactJson(item)) as T;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, member]) => [redactSecrets(key), redactJson(member)]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}
