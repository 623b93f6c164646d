import { generateKeyPairSync, randomBytes } from "node:crypto";

/** A user that kube-apiserver authenticates through its static token file. */
export interface StaticTokenUser {
  /** The Kubernetes user name, for example `system:kube-scheduler`. */
  name: string;
  groups: string[];
}

/** The users that every control plane has, keyed by the name tests pass to `kubeConfig(user)`. */
export const BUILT_IN_USERS: readonly StaticTokenUser[] = [
  { name: "admin", groups: ["system:masters"] },
  // RBAC's default bindings grant these two names what their components need.
  { name: "system:kube-controller-manager", groups: [] },
  { name: "system:kube-scheduler", groups: [] },
  // kwok plays the kubelet of the fake node. The Node authorizer authorizes
  // only `system:node:<name>` identities, so kwok gets full rights instead.
  { name: "kwok", groups: ["system:masters"] },
  // The tests that start metrics-server bind this user to metrics-server's own roles.
  { name: "metrics-server", groups: [] },
];

/** The key pair that signs and verifies service account tokens, in PEM. */
export interface ServiceAccountKeys {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** Generates a random bearer token of 48 hex characters. */
export function generateToken(): string {
  return randomBytes(24).toString("hex");
}

/** Generates the RSA key pair for `--service-account-signing-key-file` and `--service-account-key-file`. */
export function generateServiceAccountKeys(): ServiceAccountKeys {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * Renders kube-apiserver's `--token-auth-file`: one `token,user,uid,"group1,group2"`
 * line per user. Names and groups must not contain quotes or line breaks.
 */
export function renderTokenFile(users: readonly StaticTokenUser[], tokens: Record<string, string>): string {
  const lines = users.map((user) => {
    const token = tokens[user.name];
    if (token === undefined) {
      throw new Error(`renderTokenFile: no token was generated for user '${user.name}'`);
    }
    for (const value of [user.name, ...user.groups]) {
      if (/["\r\n]/.test(value)) {
        throw new Error(`renderTokenFile: invalid name or group '${value}': quotes and line breaks are not allowed`);
      }
    }
    return `${token},${user.name},${user.name},"${user.groups.join(",")}"`;
  });
  return `${lines.join("\n")}\n`;
}
