/** Placeholders a preview host template may contain. */
export const PREVIEW_HOST_PLACEHOLDERS = ["environment", "repo", "number"] as const;

/** Longest DNS name, in characters. */
const MAX_DNS_NAME_LENGTH = 253;
const DNS_LABEL_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PLACEHOLDER_PATTERN = /\{([^{}]*)\}/g;

/** Returns why `host` is not a lowercase DNS name of two or more labels, or undefined when it is one. */
export function findDnsNameProblem(host: string): string | undefined {
  if (host.length > MAX_DNS_NAME_LENGTH) return `it is longer than ${MAX_DNS_NAME_LENGTH} characters`;
  const labels = host.split(".");
  if (labels.length < 2) return "it needs a domain, such as {environment}.preview.example.com";
  const bad = labels.find((label) => !DNS_LABEL_PATTERN.test(label));
  if (bad !== undefined) {
    return `label ${JSON.stringify(bad)} is not a DNS label: use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Checks a preview host template as written in the org policy: only known placeholders,
 * `{environment}` present so that each environment gets its own host, and a DNS name once the
 * placeholders are filled with short sample values. Returns the problem, or undefined.
 */
export function checkPreviewHostTemplate(template: string): string | undefined {
  const names = [...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1]!);
  const unknown = names.find((name) => !(PREVIEW_HOST_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown !== undefined) return `unknown placeholder {${unknown}}: use ${PREVIEW_HOST_PLACEHOLDERS.map((name) => `{${name}}`).join(", ")}`;
  if (!names.includes("environment")) return "it lacks {environment}, so every environment would get the same host: add {environment}, as in {environment}.preview.example.com";

  const sample = template.replace(PLACEHOLDER_PATTERN, (_, name: string) => (name === "number" ? "1" : "a"));
  const problem = findDnsNameProblem(sample);
  return problem === undefined ? undefined : `it does not make a DNS name: ${problem}`;
}

/** A rendered preview host, or why the template cannot make one for this environment. */
export type PreviewHost = { ok: true; host: string } | { ok: false; message: string };

/**
 * Renders the org policy's preview host template for one environment. `{repo}` becomes the
 * repository name lowercased, and `{number}` the pull request number, which a branch environment
 * lacks. The result is checked to be a DNS name, because a repository name may hold '_' or '.'.
 */
export function renderPreviewHost(options: { template: string; environment: string; repository: string; number: number | null }): PreviewHost {
  const { template, environment, repository, number } = options;
  if (number === null && template.includes("{number}")) {
    return { ok: false, message: `preview.host ${JSON.stringify(template)} uses {number}, but environment ${environment} belongs to a branch, not a pull request: use {environment} instead` };
  }
  const values: Record<string, string> = { environment, repo: repository.toLowerCase(), number: String(number) };
  const host = template.replace(PLACEHOLDER_PATTERN, (match, name: string) => values[name] ?? match);
  const problem = findDnsNameProblem(host);
  if (problem !== undefined) return { ok: false, message: `preview host ${JSON.stringify(host)} from preview.host ${JSON.stringify(template)} is not a DNS name, because ${problem}` };
  return { ok: true, host };
}
