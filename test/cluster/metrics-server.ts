import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { ApiregistrationV1Api, CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";

import { startComponent, stopComponent, waitForComponent } from "./component-process.ts";
import type { ControlPlaneClients, ControlPlaneConnection } from "./kubeconfig.ts";
import { findFreePorts, LOOPBACK_HOST, probe } from "./loopback.ts";
import { COMPONENT_START_TIMEOUT_MS } from "./readiness-checks.ts";

/**
 * How often metrics-server scrapes the fake node: the minimum that metrics-server v0.8.0
 * accepts. A pod with usage gets PodMetrics from the third scrape after it starts, 20 to 30 s.
 * kwok's first scrape of a container reads its CPU counter as 0, which metrics-server drops,
 * and metrics-server needs two more points to compute a CPU rate.
 */
export const METRIC_RESOLUTION_SECONDS = 10;

const USER = "metrics-server";
const API_SERVICE_NAME = "v1beta1.metrics.k8s.io";
const SERVICE = { name: "metrics-server", namespace: "kube-system" };
const ROLE_NAME = "paddock-test:metrics-server";

/** A running metrics-server and the APIService that routes metrics.k8s.io to it. */
export interface RunningMetricsServer {
  /** Counts the PodMetrics list requests that metrics-server has served, from its own /metrics. */
  countPodListRequests(): Promise<number>;
  /** Removes the APIService, the Service and the role bindings, then stops the process. */
  stop(): Promise<void>;
}

/**
 * Starts metrics-server as a process on a free port of 127.0.0.1 with its upstream roles,
 * registers it as the aggregated API metrics.k8s.io through a Service of type ExternalName
 * `localhost`, and resolves once kube-apiserver reports the APIService Available. It scrapes
 * only the kwok node, on the node's InternalIP and kubelet port, which are 127.0.0.1 and
 * kwok's server port.
 */
export async function startMetricsServer(controlPlane: ControlPlaneConnection & ControlPlaneClients): Promise<RunningMetricsServer> {
  const adminConfig = controlPlane.kubeConfig("admin");
  const core = adminConfig.makeApiClient(CoreV1Api);
  const registration = adminConfig.makeApiClient(ApiregistrationV1Api);
  const rbac = adminConfig.makeApiClient(RbacAuthorizationV1Api);

  // 1. Roles, kubeconfig and port.
  await grantMetricsServerRoles(rbac);
  const kubeconfig = join(controlPlane.directory, "kubeconfigs", `${USER}.yaml`);
  await writeFile(kubeconfig, controlPlane.kubeconfigYaml(USER), { mode: 0o600 });
  const certDir = join(controlPlane.directory, "certs", USER);
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  const [port] = await findFreePorts(1);

  // 2. The process.
  const component = startComponent({
    name: USER,
    binary: join(controlPlane.binDir, USER),
    args: metricsServerArgs({ kubeconfig, certDir, port: port! }),
    logDir: join(controlPlane.directory, "logs"),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(controlPlane.directory, "home"), TMPDIR: join(controlPlane.directory, "tmp") },
  });

  const removeRegistration = async (): Promise<void> => {
    await registration.deleteAPIService({ name: API_SERVICE_NAME }).catch(() => undefined);
    await core.deleteNamespacedService({ name: SERVICE.name, namespace: SERVICE.namespace }).catch(() => undefined);
  };
  const stop = async (): Promise<void> => {
    await removeRegistration();
    await revokeMetricsServerRoles(rbac);
    await stopComponent(component);
  };

  // 3. The registration, Available once the aggregator reaches metrics-server's discovery.
  try {
    await core.createNamespacedService({ namespace: SERVICE.namespace, body: { metadata: { name: SERVICE.name }, spec: { type: "ExternalName", externalName: "localhost", ports: [{ port: port! }] } } });
    // metrics-server's self-signed certificate names only localhost and 127.0.0.1, not the
    // Service, so the aggregator skips verification, as metrics-server's own manifests do.
    await registration.createAPIService({
      body: {
        metadata: { name: API_SERVICE_NAME },
        spec: { group: "metrics.k8s.io", version: "v1beta1", service: { ...SERVICE, port: port! }, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
      },
    });
    await waitForComponent({
      component,
      description: `APIService ${API_SERVICE_NAME} to be Available through ExternalName localhost:${port}`,
      timeoutMs: COMPONENT_START_TIMEOUT_MS,
      isReady: async () => {
        const service = await registration.readAPIService({ name: API_SERVICE_NAME });
        return service.status?.conditions?.some((condition) => condition.type === "Available" && condition.status === "True") === true;
      },
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    countPodListRequests: async () => {
      const ca = await readFile(join(certDir, "apiserver.crt"), "utf8");
      const response = await probe(`https://${LOOPBACK_HOST}:${port}/metrics`, { ca, bearerToken: controlPlane.adminToken });
      if (response.status !== 200) throw new Error(`metrics-server /metrics returned ${response.status}: ${response.body.slice(0, 200)}`);
      return sumPodListRequests(response.body);
    },
    stop,
  };
}

function metricsServerArgs(options: { kubeconfig: string; certDir: string; port: number }): string[] {
  const { kubeconfig, certDir, port } = options;
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK_HOST}`,
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    `--metric-resolution=${METRIC_RESOLUTION_SECONDS}s`,
    // Must stay below 90 % of the resolution, which the 10 s default is not.
    "--kubelet-request-timeout=5s",
    // kwok serves the kubelet endpoint with a self-signed certificate.
    "--kubelet-insecure-tls",
    "--kubelet-use-node-status-port",
    "--kubelet-preferred-address-types=InternalIP",
    // Only the kwok node, whose InternalIP is 127.0.0.1; no other node is scraped.
    "--node-selector=type=kwok",
    "--profiling=false",
    "--v=1",
  ];
}

// The rules of metrics-server's upstream ClusterRole system:metrics-server, plus the two
// bindings every aggregated API server needs: delegated authentication and authorization,
// and reading the request header settings from kube-system.
async function grantMetricsServerRoles(rbac: RbacAuthorizationV1Api): Promise<void> {
  const subjects = [{ kind: "User", name: USER, apiGroup: "rbac.authorization.k8s.io" }];
  const roleRef = (kind: string, name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name });

  await rbac.createClusterRole({
    body: {
      metadata: { name: ROLE_NAME },
      rules: [
        { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
        { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
      ],
    },
  });
  await rbac.createClusterRoleBinding({ body: { metadata: { name: ROLE_NAME }, roleRef: roleRef("ClusterRole", ROLE_NAME), subjects } });
  await rbac.createClusterRoleBinding({ body: { metadata: { name: `${ROLE_NAME}:auth-delegator` }, roleRef: roleRef("ClusterRole", "system:auth-delegator"), subjects } });
  await rbac.createNamespacedRoleBinding({
    namespace: "kube-system",
    body: { metadata: { name: `${ROLE_NAME}:auth-reader` }, roleRef: roleRef("Role", "extension-apiserver-authentication-reader"), subjects },
  });
}

async function revokeMetricsServerRoles(rbac: RbacAuthorizationV1Api): Promise<void> {
  await rbac.deleteNamespacedRoleBinding({ name: `${ROLE_NAME}:auth-reader`, namespace: "kube-system" }).catch(() => undefined);
  await rbac.deleteClusterRoleBinding({ name: `${ROLE_NAME}:auth-delegator` }).catch(() => undefined);
  await rbac.deleteClusterRoleBinding({ name: ROLE_NAME }).catch(() => undefined);
  await rbac.deleteClusterRole({ name: ROLE_NAME }).catch(() => undefined);
}

/**
 * Sums `apiserver_request_total` over the LIST requests for pods in metrics.k8s.io, from the
 * Prometheus text that metrics-server serves on /metrics.
 */
export function sumPodListRequests(metricsText: string): number {
  let total = 0;
  for (const line of metricsText.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = line.slice(line.indexOf("{"), line.lastIndexOf("}") + 1);
    if (!labels.includes('group="metrics.k8s.io"') || !labels.includes('resource="pods"') || !labels.includes('verb="LIST"')) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}
