import { join } from "node:path";

import { LOOPBACK_HOST } from "./loopback.ts";

/** The annotation that kwok's `--manage-nodes-with-annotation-selector` matches. */
export const FAKE_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

/**
 * Service cluster IPs come from a loopback range. No kube-proxy runs, so
 * nothing routes these addresses, and a loopback range keeps them from
 * pointing at a real network even by accident.
 */
export const SERVICE_CLUSTER_IP_RANGE = "127.96.0.0/16";

export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/**
 * Controllers that kube-controller-manager runs. The first group is what Paddock
 * relies on (namespaces, Jobs, quota, service accounts, RBAC aggregation). The
 * rest make Deployments, Services and CronJobs behave as in a real cluster.
 * Node lifecycle is off, because kwok's node sends no heartbeats.
 */
export const CONTROLLERS = [
  "namespace-controller",
  "garbage-collector-controller",
  "job-controller",
  "resourcequota-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "clusterrole-aggregation-controller",
  "ttl-after-finished-controller",
  "root-ca-certificate-publisher-controller",
  "cronjob-controller",
  "deployment-controller",
  "replicaset-controller",
  "endpoints-controller",
  "endpointslice-controller",
  "pod-garbage-collector-controller",
  "disruption-controller",
] as const;

/** The files and ports of one control plane, all inside its temporary directory. */
export interface ControlPlaneLayout {
  directory: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  apiServerPort: number;
  controllerManagerPort: number;
  schedulerPort: number;
  /** kwok's server port: the fake node's kubelet port, which serves its emulated resource metrics. */
  kwokServerPort: number;
}

/** Returns the path of a file or directory inside the control plane's temporary directory. */
export function pathIn(layout: ControlPlaneLayout, ...parts: string[]): string {
  return join(layout.directory, ...parts);
}

export function etcdArgs(layout: ControlPlaneLayout): string[] {
  const clientUrl = `http://${LOOPBACK_HOST}:${layout.etcdClientPort}`;
  const peerUrl = `http://${LOOPBACK_HOST}:${layout.etcdPeerPort}`;
  return [
    "--name=paddock-test",
    `--data-dir=${pathIn(layout, "etcd-data")}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=paddock-test=${peerUrl}`,
    "--initial-cluster-state=new",
    // The data is thrown away after the run, so fsync would only slow the tests down.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

export function apiServerArgs(layout: ControlPlaneLayout): string[] {
  return [
    `--etcd-servers=http://${LOOPBACK_HOST}:${layout.etcdClientPort}`,
    `--bind-address=${LOOPBACK_HOST}`,
    `--advertise-address=${LOOPBACK_HOST}`,
    `--secure-port=${layout.apiServerPort}`,
    `--cert-dir=${pathIn(layout, "certs", "kube-apiserver")}`,
    `--token-auth-file=${pathIn(layout, "tokens.csv")}`,
    "--authorization-mode=Node,RBAC",
    // These are on by default too; naming them keeps them on if upstream defaults change.
    "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota,PodSecurity",
    // TaintNodesByCondition taints new nodes not-ready until the node lifecycle
    // controller clears the taint, and that controller does not run here.
    "--disable-admission-plugins=TaintNodesByCondition",
    "--allow-privileged=true",
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pathIn(layout, "service-account.pub")}`,
    `--service-account-signing-key-file=${pathIn(layout, "service-account.key")}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    // The reconciler would publish 127.0.0.1 as the `kubernetes` Service endpoint,
    // which Endpoints validation rejects as a loopback address.
    "--endpoint-reconciler-type=none",
    // No test authenticates with a client certificate, but aggregated API servers such as
    // metrics-server read this CA from kube-system/extension-apiserver-authentication and log
    // an error every minute while it is missing.
    `--client-ca-file=${clientCaFile(layout)}`,
    // The aggregator proxies requests for aggregated APIs, such as metrics.k8s.io, with this
    // client certificate and the user in X-Remote-* headers, which the aggregated server trusts.
    `--requestheader-client-ca-file=${frontProxyFile(layout, "ca.crt")}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_NAME}`,
    "--requestheader-username-headers=X-Remote-User",
    "--requestheader-group-headers=X-Remote-Group",
    "--requestheader-extra-headers-prefix=X-Remote-Extra-",
    `--proxy-client-cert-file=${frontProxyFile(layout, "client.crt")}`,
    `--proxy-client-key-file=${frontProxyFile(layout, "client.key")}`,
    "--profiling=false",
    "--v=1",
  ];
}

/** Common name of the aggregator's client certificate, which aggregated API servers accept. */
export const FRONT_PROXY_CLIENT_NAME = "front-proxy-client";

/** Returns the path of the certificate authority for client certificates, which signs none. */
export function clientCaFile(layout: ControlPlaneLayout, name: "ca.crt" | "ca.key" = "ca.crt"): string {
  return pathIn(layout, "certs", "client-ca", name);
}

/** Returns the path of a file of the front proxy's certificate authority and client certificate. */
export function frontProxyFile(layout: ControlPlaneLayout, name: "ca.crt" | "ca.key" | "client.crt" | "client.key"): string {
  return pathIn(layout, "certs", "front-proxy", name);
}

export function controllerManagerArgs(layout: ControlPlaneLayout): string[] {
  const kubeconfig = pathIn(layout, "kubeconfigs", "kube-controller-manager.yaml");
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK_HOST}`,
    `--secure-port=${layout.controllerManagerPort}`,
    `--cert-dir=${pathIn(layout, "certs", "kube-controller-manager")}`,
    "--leader-elect=false",
    `--controllers=${CONTROLLERS.join(",")}`,
    // Each controller uses its own service account, as kubeadm clusters do, so
    // RBAC checks the same permissions as in production.
    "--use-service-account-credentials=true",
    `--service-account-private-key-file=${pathIn(layout, "service-account.key")}`,
    `--root-ca-file=${apiServerCertFile(layout)}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    "--profiling=false",
    "--v=1",
  ];
}

export function schedulerArgs(layout: ControlPlaneLayout): string[] {
  const kubeconfig = pathIn(layout, "kubeconfigs", "kube-scheduler.yaml");
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${LOOPBACK_HOST}`,
    `--secure-port=${layout.schedulerPort}`,
    `--cert-dir=${pathIn(layout, "certs", "kube-scheduler")}`,
    "--leader-elect=false",
    "--profiling=false",
    "--v=1",
  ];
}

/**
 * kwok plays the kubelet of the fake node on 127.0.0.1: the node's InternalIP is 127.0.0.1
 * and its kubelet port is `kwokServerPort`, where kwok serves the emulated resource metrics
 * that metrics-server scrapes. With its own certificate files unset, kwok serves HTTPS with a
 * self-signed certificate. ResourceUsage objects come from the API, whose definition the
 * harness applies before kwok starts, and the other kwok resources from `configFiles`.
 */
export function kwokArgs(layout: ControlPlaneLayout, configFiles: readonly string[]): string[] {
  return [
    `--kubeconfig=${pathIn(layout, "kubeconfigs", "kwok.yaml")}`,
    ...configFiles.map((file) => `--config=${file}`),
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION.key}=${FAKE_NODE_ANNOTATION.value}`,
    `--node-ip=${LOOPBACK_HOST}`,
    // --node-port alone would listen on 0.0.0.0, so --server-address keeps the listener on loopback.
    `--node-port=${layout.kwokServerPort}`,
    `--server-address=${LOOPBACK_HOST}:${layout.kwokServerPort}`,
    "--enable-crds=ResourceUsage",
  ];
}

/** Returns the path of the serving certificate that kube-apiserver generates in its `--cert-dir`, followed by its CA certificate. */
export function apiServerCertFile(layout: ControlPlaneLayout): string {
  return pathIn(layout, "certs", "kube-apiserver", "apiserver.crt");
}

/** Returns the path of the self-signed serving certificate of a component that was started with `--cert-dir`. */
export function componentCertFile(layout: ControlPlaneLayout, component: "kube-controller-manager" | "kube-scheduler"): string {
  return pathIn(layout, "certs", component, `${component}.crt`);
}
