import { parse } from "yaml";

// Fields of a kubeconfig user that are credentials. Paths such as `client-key` and `tokenFile`
// name files and are not secret themselves.
const SECRET_USER_FIELDS = ["token", "password", "client-key-data"] as const;

/**
 * Lists the values in a kubeconfig that must be masked in logs: each user's token, password and
 * client key (also the lines of the decoded PEM key), every `auth-provider` config value and
 * every `exec` environment value. Text that is not valid YAML is listed line by line, because
 * no field can be told from another. Pure.
 */
export function findKubeconfigSecrets(text: string): string[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch {
    return listLines(text);
  }
  if (!isRecord(document)) return listLines(text);

  const secrets: string[] = [];
  const users = Array.isArray(document.users) ? document.users : [];
  for (const entry of users) {
    const user = isRecord(entry) && isRecord(entry.user) ? entry.user : undefined;
    if (!user) continue;
    for (const field of SECRET_USER_FIELDS) {
      const value = user[field];
      if (typeof value === "string") secrets.push(value);
    }
    if (typeof user["client-key-data"] === "string") secrets.push(...listPemLines(user["client-key-data"]));
    secrets.push(...listAuthProviderValues(user["auth-provider"]), ...listExecEnvValues(user.exec));
  }
  return [...new Set(secrets.map((secret) => secret.trim()).filter((secret) => secret !== ""))];
}

function listAuthProviderValues(provider: unknown): string[] {
  if (!isRecord(provider) || !isRecord(provider.config)) return [];
  return Object.values(provider.config).filter((value): value is string => typeof value === "string");
}

function listExecEnvValues(exec: unknown): string[] {
  if (!isRecord(exec) || !Array.isArray(exec.env)) return [];
  return exec.env.flatMap((variable: unknown) => (isRecord(variable) && typeof variable.value === "string" ? [variable.value] : []));
}

// The runner masks line by line, so each base64 line of the decoded key is registered too.
function listPemLines(base64: string): string[] {
  const pem = Buffer.from(base64, "base64").toString("utf8");
  return pem.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.startsWith("-----"));
}

function listLines(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ""))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
