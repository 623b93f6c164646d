import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";

import { clientCaFile, FRONT_PROXY_CLIENT_NAME, frontProxyFile, pathIn, type ControlPlaneLayout } from "./component-args.ts";
import {
  BUILT_IN_USERS,
  generateServiceAccountKeys,
  generateToken,
  renderTokenFile,
  type StaticTokenUser,
} from "./credentials.ts";
import { renderKubeconfigYaml, type ControlPlaneConnection } from "./kubeconfig.ts";

/** Kubeconfig files that the components read, by file name stem and user. */
const COMPONENT_USERS = {
  "kube-controller-manager": "system:kube-controller-manager",
  "kube-scheduler": "system:kube-scheduler",
  kwok: "kwok",
} as const;

/** Creates the directories that the components write to. */
export async function createDirectories(layout: ControlPlaneLayout): Promise<void> {
  for (const directory of ["logs", "home", "tmp", "kubeconfigs", "certs", "etcd-data"]) {
    await mkdir(pathIn(layout, directory), { recursive: true, mode: 0o700 });
  }
}

/**
 * Writes the service account key pair and the static token file, and returns
 * the token of each user. Extra users must not reuse a built-in name.
 */
export async function writeCredentials(layout: ControlPlaneLayout, extraUsers: readonly StaticTokenUser[]): Promise<Record<string, string>> {
  const builtInNames = new Set(BUILT_IN_USERS.map((user) => user.name));
  for (const user of extraUsers) {
    if (builtInNames.has(user.name)) {
      throw new Error(`startControlPlane: extra user '${user.name}' is a built-in user; choose another name`);
    }
  }

  const users = [...BUILT_IN_USERS, ...extraUsers];
  const tokens = Object.fromEntries(users.map((user) => [user.name, generateToken()]));
  const keys = generateServiceAccountKeys();

  await writeFile(pathIn(layout, "service-account.key"), keys.privateKeyPem, { mode: 0o600 });
  await writeFile(pathIn(layout, "service-account.pub"), keys.publicKeyPem, { mode: 0o600 });
  await writeFile(pathIn(layout, "tokens.csv"), renderTokenFile(users, tokens), { mode: 0o600 });
  return tokens;
}

const execFileAsync = promisify(execFile);

/** Validity of the certificates, which is short because a control plane lives for one test run. */
const CERTIFICATE_VALIDITY_DAYS = "2";
const P256_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const CA_EXTENSIONS = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,digitalSignature"];

/**
 * Creates, with openssl and P-256 keys, the certificates of the aggregation layer: the front
 * proxy's certificate authority, the client certificate that kube-apiserver presents to
 * aggregated API servers, and a certificate authority for client certificates.
 */
export async function writeAggregationCertificates(layout: ControlPlaneLayout): Promise<void> {
  for (const file of [frontProxyFile(layout, "ca.crt"), clientCaFile(layout)]) {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  }

  await writeCertificateAuthority("paddock-test-client-ca", clientCaFile(layout, "ca.key"), clientCaFile(layout));
  await writeCertificateAuthority("paddock-test-front-proxy-ca", frontProxyFile(layout, "ca.key"), frontProxyFile(layout, "ca.crt"));
  // `req -x509 -CA` signs the new key with the CA in one step (OpenSSL 3.0 and newer).
  await execFileAsync("openssl", [
    "req", "-x509", ...P256_KEY, "-days", CERTIFICATE_VALIDITY_DAYS, "-subj", `/CN=${FRONT_PROXY_CLIENT_NAME}`,
    "-CA", frontProxyFile(layout, "ca.crt"), "-CAkey", frontProxyFile(layout, "ca.key"),
    "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=clientAuth",
    "-keyout", frontProxyFile(layout, "client.key"), "-out", frontProxyFile(layout, "client.crt"),
  ]);
}

async function writeCertificateAuthority(commonName: string, keyFile: string, certFile: string): Promise<void> {
  await execFileAsync("openssl", [
    "req", "-x509", ...P256_KEY, "-days", CERTIFICATE_VALIDITY_DAYS, "-subj", `/CN=${commonName}`, ...CA_EXTENSIONS,
    "-keyout", keyFile, "-out", certFile,
  ]);
}

/** Writes one kubeconfig per component, once the API server's CA is known. */
export async function writeComponentKubeconfigs(layout: ControlPlaneLayout, connection: ControlPlaneConnection): Promise<void> {
  for (const [component, user] of Object.entries(COMPONENT_USERS)) {
    const file = pathIn(layout, "kubeconfigs", `${component}.yaml`);
    await writeFile(file, renderKubeconfigYaml(connection, user), { mode: 0o600 });
  }
}

/**
 * Builds the environment of every component: PATH only, with HOME and TMPDIR
 * inside the temporary directory. No KUBECONFIG, proxy or `~/.kwok` settings
 * of the developer's machine reach the components.
 */
export function componentEnvironment(layout: ControlPlaneLayout): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: pathIn(layout, "home"),
    TMPDIR: pathIn(layout, "tmp"),
  };
}
