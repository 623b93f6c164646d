import { randomBytes } from "node:crypto";
import { AuthorizationV1Api, CoordinationV1Api, CoreV1Api, type V1ResourceAttributes } from "@kubernetes/client-node";
import pino from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PullRequestEvent } from "../../src/github/webhook-event.ts";
import { createCoordinationApi, type CoordinationApi } from "../../src/replicas/lease-api.ts";
import type { ReplicaSettings } from "../../src/replicas/replica-settings.ts";
import { nameShardLease, ShardLeases, SWEEPER_LEASE_NAME } from "../../src/replicas/shard-leases.ts";
import { WorkInbox } from "../../src/replicas/work-inbox.ts";
import type { HandedOverCommand } from "../../src/replicas/work-router.ts";
import { installPaddockDeployment, PADDOCK_USER } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const controlPlane = useSharedControlPlane();
const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const coordination = controlPlane.kubeConfig().makeApiClient(CoordinationV1Api);
const logger = pino({ level: "silent" });
const running: ShardLeases[] = [];

/** Short durations, so a test sees expiry within seconds: 3 s Leases, a 2 s renew deadline, 0.5 s rounds. */
const FAST = { shards: 4, leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };

interface Replica {
  leases: ShardLeases;
  /** Shards reported lost, with the time on performance.now(). */
  lost: Array<{ shards: number[]; at: number }>;
  acquired: Array<{ shards: number[]; at: number }>;
}

async function createNamespace(): Promise<string> {
  const name = `leases-${randomBytes(4).toString("hex")}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

function startReplica(options: { namespace: string; replicaId: string; api?: CoordinationApi; busyShards?: Set<number> }): Replica {
  const settings: ReplicaSettings = { replicaId: options.replicaId, namespace: options.namespace, ...FAST };
  const api = options.api ?? createCoordinationApi({ kubeConfig: controlPlane.kubeConfig(), namespace: options.namespace });
  const replica: Replica = { lost: [], acquired: [], leases: undefined as unknown as ShardLeases };
  replica.leases = new ShardLeases({
    api,
    settings,
    logger,
    handlers: {
      onAcquired: async (shards) => void replica.acquired.push({ shards, at: performance.now() }),
      onLost: (shards) => void replica.lost.push({ shards, at: performance.now() }),
      isIdle: (shard) => !(options.busyShards?.has(shard) ?? false),
    },
  });
  replica.leases.start();
  running.push(replica.leases);
  return replica;
}

async function readHolder(namespace: string, name: string): Promise<string | undefined> {
  const lease = await coordination.readNamespacedLease({ namespace, name });
  return lease.spec?.holderIdentity || undefined;
}

/** Writes another holder into a Lease, reading it again when the holder's own renewal got there first (409). */
async function takeLeaseOver(options: { namespace: string; name: string; holder: string }): Promise<void> {
  const { namespace, name, holder } = options;
  for (let attempt = 1; ; attempt += 1) {
    const lease = await coordination.readNamespacedLease({ namespace, name });
    try {
      await coordination.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: { ...lease.spec, holderIdentity: holder, leaseDurationSeconds: 3600 } } });
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409 || attempt === 5) throw error;
    }
  }
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((leases) => leases.stop({ release: false })));
});

describe("shard leases", () => {
  it("splits the shards between two replicas", async () => {
    const namespace = await createNamespace();
    const first = startReplica({ namespace, replicaId: "replica-a" });
    await waitUntil(async () => (first.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-a to hold all 4 shards" });

    const second = startReplica({ namespace, replicaId: "replica-b" });
    await waitUntil(async () => (second.leases.ownedShards().length === 2 && first.leases.ownedShards().length === 2 ? true : undefined), { description: "each replica to hold 2 shards" });

    expect([...first.leases.ownedShards(), ...second.leases.ownedShards()].sort()).toEqual([0, 1, 2, 3]);
    expect([first.leases.isSweeper(), second.leases.isSweeper()]).toEqual([true, false]);
    for (const shard of second.leases.ownedShards()) expect(await readHolder(namespace, nameShardLease(shard))).toBe("replica-b");
  });

  it("keeps a busy shard beyond its fair share", async () => {
    const namespace = await createNamespace();
    const first = startReplica({ namespace, replicaId: "replica-a", busyShards: new Set([0, 1, 2, 3]) });
    await waitUntil(async () => (first.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-a to hold all 4 shards" });

    const second = startReplica({ namespace, replicaId: "replica-b" });
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    expect(first.leases.ownedShards()).toEqual([0, 1, 2, 3]);
    expect(second.leases.ownedShards()).toEqual([]);
  });

  it("takes over the shards of a replica that stopped renewing", async () => {
    const namespace = await createNamespace();
    const first = startReplica({ namespace, replicaId: "replica-a" });
    await waitUntil(async () => (first.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-a to hold all 4 shards" });
    const second = startReplica({ namespace, replicaId: "replica-b" });
    await waitUntil(async () => (second.leases.ownedShards().length === 2 ? true : undefined), { description: "replica-b to hold 2 shards" });

    // Stopped without release, as a killed process: its Leases must expire first.
    await first.leases.stop({ release: false });
    const stoppedAt = performance.now();
    await waitUntil(async () => (second.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-b to take all 4 shards", timeoutMs: 20_000 });
    const takenAt = second.acquired.at(-1)!.at;

    // Not before the 3-second Lease duration, and within it plus a few rounds.
    expect(takenAt - stoppedAt).toBeGreaterThan(FAST.leaseDurationSeconds * 1000 - 1000);
    expect(takenAt - stoppedAt).toBeLessThan(FAST.leaseDurationSeconds * 1000 + 4 * FAST.retryPeriodSeconds * 1000 + 2000);
    expect(second.leases.isSweeper()).toBe(true);
    expect(await readHolder(namespace, SWEEPER_LEASE_NAME)).toBe("replica-b");
  });

  it("hands leases back at once when released", async () => {
    const namespace = await createNamespace();
    const first = startReplica({ namespace, replicaId: "replica-a" });
    await waitUntil(async () => (first.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-a to hold all 4 shards" });
    const second = startReplica({ namespace, replicaId: "replica-b" });
    await waitUntil(async () => (second.leases.ownedShards().length === 2 ? true : undefined), { description: "replica-b to hold 2 shards" });

    await first.leases.stop({ release: true });
    const releasedAt = performance.now();
    await waitUntil(async () => (second.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-b to take all 4 shards" });

    expect(first.lost.at(-1)?.shards.length).toBe(2);
    expect(second.acquired.at(-1)!.at - releasedAt).toBeLessThan(FAST.leaseDurationSeconds * 1000);
  });

  it("loses a lease whose renewal conflicts", async () => {
    const namespace = await createNamespace();
    const replica = startReplica({ namespace, replicaId: "replica-a" });
    await waitUntil(async () => (replica.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-a to hold all 4 shards" });

    // Another writer takes shard 2 over, as a replica that judged the Lease expired would.
    const name = nameShardLease(2);
    await takeLeaseOver({ namespace, name, holder: "intruder" });
    await waitUntil(async () => (replica.lost.length > 0 ? true : undefined), { description: "replica-a to report shard 2 lost" });

    expect(replica.lost).toEqual([{ shards: [2], at: expect.any(Number) }]);
    expect(replica.leases.owns(2)).toBe(false);
    expect(replica.leases.ownedShards()).toEqual([0, 1, 3]);
    expect(await readHolder(namespace, name)).toBe("intruder");
  });

  it("stops work when renewals fail, before another replica takes over", async () => {
    const namespace = await createNamespace();
    const real = createCoordinationApi({ kubeConfig: controlPlane.kubeConfig(), namespace });
    let failing = false;
    // Renewals and lists fail as they would when the API server is unreachable from this replica only.
    const api: CoordinationApi = {
      ...real,
      listLeases: () => (failing ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6443")) : real.listLeases()),
      replaceLease: (lease) => (failing ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6443")) : real.replaceLease(lease)),
    };
    const first = startReplica({ namespace, replicaId: "replica-a", api });
    await waitUntil(async () => (first.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-a to hold all 4 shards" });
    const second = startReplica({ namespace, replicaId: "replica-b", busyShards: new Set() });
    await waitUntil(async () => (second.leases.ownedShards().length === 2 ? true : undefined), { description: "replica-b to hold 2 shards" });

    failing = true;
    const failingAt = performance.now();
    await waitUntil(async () => (second.leases.ownedShards().length === 4 ? true : undefined), { description: "replica-b to take all 4 shards", timeoutMs: 20_000 });

    const lostAt = first.lost.at(-1)!.at;
    const takenAt = second.acquired.at(-1)!.at;
    expect(first.leases.ownedShards()).toEqual([]);
    expect(first.leases.isSweeper()).toBe(false);
    // The fence: stopped within the renew deadline (plus one round and one fence check), and before the other replica took the shards.
    expect(lostAt - failingAt).toBeLessThan((FAST.renewDeadlineSeconds + FAST.retryPeriodSeconds) * 1000 + 500);
    expect(lostAt).toBeLessThan(takenAt);
  });
});

describe("work inbox", () => {
  it("stores a delivery handed over by two replicas at once once", async () => {
    const namespace = await createNamespace();
    const api = createCoordinationApi({ kubeConfig: controlPlane.kubeConfig(), namespace });
    const inboxes = [new WorkInbox({ api, shards: 4, logger }), new WorkInbox({ api: createCoordinationApi({ kubeConfig: controlPlane.kubeConfig(), namespace }), shards: 4, logger })];
    const event = buildEvent("delivery-same");
    const key = "repository/1/pull/7";

    const outcomes = await Promise.all(inboxes.map((inbox) => inbox.handOver(key, { kind: "pull_request", event, rerun: false })));
    const taken = await inboxes[0]!.take([0, 1, 2, 3]);

    expect(outcomes.sort()).toEqual(["duplicate", "stored"]);
    expect(taken.map((entry) => [entry.key, entry.command.kind])).toEqual([[key, "pull_request"]]);
    expect(await inboxes[1]!.take([0, 1, 2, 3])).toEqual([]);
  });

  it("stores a branch run after its push", async () => {
    const namespace = await createNamespace();
    const inbox = new WorkInbox({ api: createCoordinationApi({ kubeConfig: controlPlane.kubeConfig(), namespace }), shards: 1, logger });
    const { repository, sender } = buildEvent("delivery-branch");
    const event = { deliveryId: "delivery-branch", installationId: 1, repository, sender, pullRequest: { number: null, headSha: "a".repeat(40), headRef: "copilot/fix" } };
    const push: HandedOverCommand = {
      kind: "push",
      event: { kind: "push", deliveryId: "delivery-branch", installationId: 1, repository, sender, ref: "refs/heads/copilot/fix", after: "a".repeat(40), deleted: false, changedPaths: [], commitCount: 1 },
    };
    const key = "repository/1/branch/copilot/fix";

    // The push reached this key's shard once, and the replica that ran it hands its run back before preparing.
    const outcomes = [
      await inbox.handOver(key, push),
      await inbox.handOver(key, { kind: "branch_run", event, environmentName: "widgets-copilot-fix" }),
      await inbox.handOver(key, { kind: "branch_run", event, environmentName: "widgets-copilot-fix", checkRunId: 5 }),
      await inbox.handOver(key, { kind: "branch_run", event, environmentName: "widgets-copilot-fix", checkRunId: 5 }),
    ];

    expect(outcomes).toEqual(["stored", "stored", "stored", "duplicate"]);
    expect((await inbox.take([0])).map((entry) => entry.command.kind)).toEqual(["push", "branch_run", "branch_run"]);
  });

  it("stores work passed on after its delivery", async () => {
    const namespace = await createNamespace();
    const inbox = new WorkInbox({ api: createCoordinationApi({ kubeConfig: controlPlane.kubeConfig(), namespace }), shards: 1, logger });
    const event = buildEvent("delivery-passed-on");
    const key = "repository/1/pull/7";

    // The delivery reached a replica that did not own the key; its owner later lost the key twice.
    const outcomes = [
      await inbox.handOver(key, { kind: "pull_request", event, rerun: false }),
      await inbox.handOver(key, { kind: "pull_request", event, rerun: false }),
      await inbox.handOver(key, { kind: "pull_request", event, rerun: true, passedOn: "first-owner" }),
      await inbox.handOver(key, { kind: "pull_request", event, rerun: true, passedOn: "first-owner" }),
      await inbox.handOver(key, { kind: "pull_request", event, rerun: true, checkRunId: 9, passedOn: "second-owner" }),
    ];

    expect(outcomes).toEqual(["stored", "duplicate", "stored", "duplicate", "stored"]);
    expect((await inbox.take([0])).map((entry) => entry.command.kind)).toEqual(["pull_request", "pull_request", "pull_request"]);
  });

  it("keeps every command of concurrent writers", async () => {
    const namespace = await createNamespace();
    const inboxes = [0, 1, 2].map(() => new WorkInbox({ api: createCoordinationApi({ kubeConfig: controlPlane.kubeConfig(), namespace }), shards: 1, logger }));

    const handOver = (inbox: WorkInbox, number: number) => inbox.handOver(`repository/1/pull/${number}`, { kind: "pull_request", event: buildEvent(`delivery-${number}`, number), rerun: false });
    const outcomes = await Promise.all(inboxes.flatMap((inbox, writer) => [0, 1, 2].map((index) => handOver(inbox, writer * 10 + index))));
    const taken = await inboxes[0]!.take([0]);

    expect(outcomes).toEqual(new Array(9).fill("stored"));
    expect(taken.map((entry) => entry.key).sort()).toEqual(["repository/1/pull/0", "repository/1/pull/1", "repository/1/pull/10", "repository/1/pull/11", "repository/1/pull/12", "repository/1/pull/2", "repository/1/pull/20", "repository/1/pull/21", "repository/1/pull/22"]);
  });
});

describe("coordination Role", () => {
  const authorization = controlPlane.kubeConfig().makeApiClient(AuthorizationV1Api);
  const groups = ["system:serviceaccounts", "system:serviceaccounts:paddock-system", "system:authenticated"];
  const may = async (attributes: V1ResourceAttributes): Promise<boolean> =>
    (await authorization.createSubjectAccessReview({ body: { spec: { user: PADDOCK_USER, groups, resourceAttributes: attributes } } })).status?.allowed ?? false;

  beforeAll(async () => {
    await installPaddockDeployment(controlPlane);
  });

  it.each(["list", "create", "update", "delete"])("allows %s leases in paddock-system", async (verb) => {
    expect(await may({ verb, resource: "leases", group: "coordination.k8s.io", namespace: "paddock-system" })).toBe(true);
  });

  it.each(["get", "list", "create", "update", "delete"])("allows %s configmaps in paddock-system", async (verb) => {
    expect(await may({ verb, resource: "configmaps", group: "", namespace: "paddock-system" })).toBe(true);
  });

  it.each([
    { verb: "update", resource: "leases", group: "coordination.k8s.io", namespace: "kube-system" },
    { verb: "list", resource: "leases", group: "coordination.k8s.io" },
    { verb: "update", resource: "configmaps", group: "", namespace: "default" },
    { verb: "get", resource: "configmaps", group: "", namespace: "kube-system" },
  ])("denies $verb $resource in $namespace", async (attributes) => {
    expect(await may(attributes)).toBe(false);
  });
});

function buildEvent(deliveryId: string, number = 7): PullRequestEvent {
  return {
    kind: "pull_request",
    action: "opened",
    deliveryId,
    installationId: 1,
    repository: { id: 1, owner: "acme", name: "widgets", fullName: "acme/widgets", defaultBranch: "main" },
    sender: { login: "octocat", id: 1, type: "User" },
    pullRequest: { number, headSha: "a".repeat(40), headRef: "feature", baseRef: "main", headRepositoryFullName: "acme/widgets", state: "open", merged: false },
  };
}
