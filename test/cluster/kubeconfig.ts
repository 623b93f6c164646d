import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";

/** The serializable facts a test needs to reach a running control plane. */
export interface ControlPlaneConnection {
  /** The kube-apiserver URL, for example `https://127.0.0.1:40123`. */
  server: string;
  /** The certificate authority bundle of the serving certificate, base64-encoded PEM as in a kubeconfig. */
  caData: string;
  /** The bearer token of the `admin` user, which is in the `system:masters` group. */
  adminToken: string;
  /** Bearer tokens by user name, for `admin`, the components and any extra users. */
  tokens: Record<string, string>;
  /** The directory that contains the control plane binaries. */
  binDir: string;
  /** The temporary directory with data, configuration and one log file per component. */
  directory: string;
}

/** Client configuration for one user of a running control plane. */
export interface ControlPlaneClients {
  /** Returns a kubeconfig document for `user` (default `admin`), for kubectl or a file. */
  kubeconfigYaml(user?: string): string;
  /** Returns a `@kubernetes/client-node` KubeConfig for `user` (default `admin`). */
  kubeConfig(user?: string): KubeConfig;
}

const CLUSTER_NAME = "paddock-test";

function tokenFor(connection: ControlPlaneConnection, user: string): string {
  const token = connection.tokens[user];
  if (token === undefined) {
    const known = Object.keys(connection.tokens).join(", ");
    throw new Error(`Unknown control plane user '${user}'; known users: ${known}. Pass extra users to startControlPlane({ users }).`);
  }
  return token;
}

/** Renders a kubeconfig with one cluster, one user and one context, which is current. */
export function renderKubeconfigYaml(connection: ControlPlaneConnection, user = "admin"): string {
  const token = tokenFor(connection, user);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CLUSTER_NAME, cluster: { server: connection.server, "certificate-authority-data": connection.caData } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: `${user}@${CLUSTER_NAME}`, context: { cluster: CLUSTER_NAME, user } }],
    "current-context": `${user}@${CLUSTER_NAME}`,
  });
}

/** Builds a KubeConfig from the connection alone, never from `~/.kube/config` or in-cluster files. */
export function buildKubeConfig(connection: ControlPlaneConnection, user = "admin"): KubeConfig {
  const token = tokenFor(connection, user);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: CLUSTER_NAME, server: connection.server, caData: connection.caData, skipTLSVerify: false }],
    users: [{ name: user, token }],
    contexts: [{ name: `${user}@${CLUSTER_NAME}`, cluster: CLUSTER_NAME, user }],
    currentContext: `${user}@${CLUSTER_NAME}`,
  });
  return kubeConfig;
}

/** Adds `kubeconfigYaml(user)` and `kubeConfig(user)` to a connection, for example one from vitest's `inject`. */
export function connectToControlPlane(connection: ControlPlaneConnection): ControlPlaneConnection & ControlPlaneClients {
  return {
    ...connection,
    kubeconfigYaml: (user?: string) => renderKubeconfigYaml(connection, user),
    kubeConfig: (user?: string) => buildKubeConfig(connection, user),
  };
}
