import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BatchV1Api, CoordinationV1Api, CoreV1Api, type V1Job } from "@kubernetes/client-node";

import { formatEnvironmentKey } from "../../src/environments/environment-key.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { COORDINATION_LABEL } from "../../src/replicas/lease-api.ts";
import { DEFAULT_LEASE_SHARDS } from "../../src/replicas/replica-settings.ts";
import { nameShardLease } from "../../src/replicas/shard-leases.ts";
import { shardOfKey } from "../../src/replicas/shard-of-key.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { ROOMY_ORG_POLICY, serveOrgPolicy, WIDGETS } from "../loopback-github/loopback-fixtures.ts";
import { LOOPBACK_WEBHOOK_SECRET } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, buildPushPayload, toServedPullRequest, type PullRequestPayload } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook, type WebhookReply } from "../loopback-github/webhook-sender.ts";
import type { ControlPlaneClients, ControlPlaneConnection } from "./kubeconfig.ts";
import { impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { startApiPrefixProxy, startReplicaProcess, type ReplicaProcess } from "./replica-process.ts";
import { waitUntil } from "./wait-until.ts";

/** Namespace of Paddock itself, where deploy/ puts the coordination Role. */
const PADDOCK_NAMESPACE = "paddock-system";

/** Two-step pipeline of the replica suites; kwok ends each step's pod after the cluster's run seconds. */
export const REPLICA_CONFIG = ["steps:", "  - name: build", "    image: node:24", "    run: npm run build", "  - name: test", "    image: node:24", "    run: npm test", ""].join("\n");

/** A loopback GitHub and Paddock replicas started from app/main.ts against one control plane. */
export interface ReplicaCluster {
  github: LoopbackGitHub;
  replicas: Map<string, ReplicaProcess>;
  core: CoreV1Api;
  batch: BatchV1Api;
  /** Starts a replica (again) under this id. */
  start(replicaId: string): Promise<ReplicaProcess>;
  /** Returns the id of the replica that holds the Lease of a pull request's shard, once one does. */
  ownerOf(pullRequest: number): Promise<string>;
  /** Returns the id of the replica that holds the Lease of an acme/widgets branch's shard, once one does. */
  ownerOfBranch(branch: string): Promise<string>;
  /** Resolves when every running replica holds at least one shard. */
  waitForSplit(): Promise<void>;
  /** Returns the holder of each shard Lease that has one, by shard number. */
  shardHolders(): Promise<Map<number, string>>;
  /** Kills every replica and stops the servers; the control plane keeps running. */
  stop(): Promise<void>;
}

/**
 * Installs deploy/, clears earlier coordination objects from paddock-system, serves acme/widgets
 * with REPLICA_CONFIG on a loopback GitHub and starts replicas as separate processes. They use
 * the paddock service account through impersonation, so the deploy/ RBAC is what they get.
 */
export async function startReplicaCluster(options: { controlPlane: ControlPlaneConnection & ControlPlaneClients; replicaIds: string[]; stepSeconds: number }): Promise<ReplicaCluster> {
  const { controlPlane } = options;
  const admin = controlPlane.kubeConfig("admin");
  const core = admin.makeApiClient(CoreV1Api);
  const batch = admin.makeApiClient(BatchV1Api);
  const coordination = admin.makeApiClient(CoordinationV1Api);
  await installPaddockDeployment(controlPlane);
  await clearCoordination({ core, coordination });

  const github = await startLoopbackGitHub();
  github.serveRepository({ owner: WIDGETS.owner, repo: WIDGETS.repo, id: WIDGETS.repositoryId, installationId: WIDGETS.installationId, files: { ".github/paddock.yml": REPLICA_CONFIG } });
  serveOrgPolicy(github, { owner: WIDGETS.owner, installationId: WIDGETS.installationId, text: ROOMY_ORG_POLICY });
  const proxy = await startApiPrefixProxy(github.baseUrl);
  const directory = await mkdtemp(join(tmpdir(), "paddock-replicas-"));
  const kubeconfigPath = join(directory, "paddock.kubeconfig");
  await writeFile(kubeconfigPath, impersonate(controlPlane).exportConfig(), { mode: 0o600 });

  const replicas = new Map<string, ReplicaProcess>();
  const start = async (replicaId: string): Promise<ReplicaProcess> => {
    const replica = await startReplicaProcess({
      replicaId,
      githubHost: proxy.host,
      kubeconfigPath,
      stateDir: join(directory, replicaId),
      env: { PADDOCK_POD_ANNOTATIONS: JSON.stringify({ "paddock.test/run-seconds": String(options.stepSeconds) }), PADDOCK_SWEEP_INTERVAL: "3600" },
    });
    replicas.set(replicaId, replica);
    return replica;
  };
  await Promise.all(options.replicaIds.map(start));

  const holders = async (): Promise<Map<number, string>> => {
    const leases = await coordination.listNamespacedLease({ namespace: PADDOCK_NAMESPACE, labelSelector: `${COORDINATION_LABEL}=shard` });
    return new Map(leases.items.filter((lease) => lease.spec?.holderIdentity).map((lease) => [Number(lease.metadata!.name!.split("-").at(-1)), lease.spec!.holderIdentity!]));
  };
  const ownerOfKey = async (key: string): Promise<string> => {
    const shard = shardOfKey(key, DEFAULT_LEASE_SHARDS);
    return waitUntil(async () => (await holders()).get(shard), { description: `a replica to hold ${nameShardLease(shard)}` });
  };
  return {
    github,
    replicas,
    core,
    batch,
    start,
    ownerOf: (pullRequest) => ownerOfKey(formatEnvironmentKey({ repositoryId: WIDGETS.repositoryId, pullRequest })),
    ownerOfBranch: (branch) => ownerOfKey(formatEnvironmentKey({ repositoryId: WIDGETS.repositoryId, branch })),
    shardHolders: holders,
    async waitForSplit() {
      const live = [...replicas.values()].filter((replica) => replica.child.exitCode === null && replica.child.signalCode === null).map((replica) => replica.replicaId);
      await waitUntil(
        async () => {
          const held = [...(await holders()).values()];
          return held.length === DEFAULT_LEASE_SHARDS && live.every((id) => held.includes(id)) ? true : undefined;
        },
        { description: `replicas ${live.join(", ")} to share the ${DEFAULT_LEASE_SHARDS} shards`, timeoutMs: 60_000 },
      );
    },
    async stop() {
      for (const replica of replicas.values()) replica.child.kill("SIGKILL");
      await Promise.all([...replicas.values()].map((replica) => replica.exited));
      await proxy.close();
      await github.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Registers a pull request of acme/widgets as open and sends its signed delivery to each given replica at the same time. */
export async function deliverPullRequest(options: {
  cluster: ReplicaCluster;
  to: ReplicaProcess[];
  action: "opened" | "closed";
  number: number;
  headSha: string;
  id: string;
}): Promise<{ payload: PullRequestPayload; replies: WebhookReply[] }> {
  const payload = buildPullRequestPayload({ ...WIDGETS, action: options.action, number: options.number, headSha: options.headSha });
  options.cluster.github.setPullRequest({ owner: WIDGETS.owner, repo: WIDGETS.repo, pullRequest: toServedPullRequest(payload) });
  const replies = await Promise.all(options.to.map((replica) => sendWebhook({ url: replica.webhookUrl, delivery: { name: "pull_request", id: options.id, payload, secret: LOOPBACK_WEBHOOK_SECRET } })));
  return { payload, replies };
}

/** Sends a signed push of an acme/widgets branch to each given replica at the same time. */
export async function deliverPush(options: {
  to: ReplicaProcess[];
  branch: string;
  headSha: string;
  sender: { login: string; id: number; type: string };
  id: string;
}): Promise<WebhookReply[]> {
  const payload = buildPushPayload({ ...WIDGETS, branch: options.branch, headSha: options.headSha, sender: options.sender });
  return Promise.all(options.to.map((replica) => sendWebhook({ url: replica.webhookUrl, delivery: { name: "push", id: options.id, payload, secret: LOOPBACK_WEBHOOK_SECRET } })));
}

/** Returns the environment name of an acme/widgets branch without a pull request. */
export function nameBranchEnvironment(branch: string): string {
  return nameEnvironment({ repositoryName: WIDGETS.repo, key: { repositoryId: WIDGETS.repositoryId, branch } });
}

/** Returns the environment name of an acme/widgets pull request. */
export function nameWidgetsEnvironment(pullRequest: number): string {
  return nameEnvironment({ repositoryName: WIDGETS.repo, key: { repositoryId: WIDGETS.repositoryId, pullRequest } });
}

/** Lists the step Jobs of an environment. */
export async function listStepJobs(cluster: ReplicaCluster, environment: string): Promise<V1Job[]> {
  return (await cluster.batch.listNamespacedJob({ namespace: environment })).items;
}

async function clearCoordination(options: { core: CoreV1Api; coordination: CoordinationV1Api }): Promise<void> {
  const { core, coordination } = options;
  await coordination.deleteCollectionNamespacedLease({ namespace: PADDOCK_NAMESPACE, labelSelector: COORDINATION_LABEL });
  await core.deleteCollectionNamespacedConfigMap({ namespace: PADDOCK_NAMESPACE, labelSelector: COORDINATION_LABEL });
}
