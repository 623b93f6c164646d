import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { JOB_NAME_LABEL } from "../../src/providers/kubernetes/watch-step.ts";
import { STEP_LABEL } from "../../src/providers/kubernetes/manifests/job-manifest.ts";
import { RUN_STARTED_ANNOTATION } from "../../src/service/run-annotations.ts";
import { deliverPullRequest, deliverPush, listStepJobs, nameBranchEnvironment, nameWidgetsEnvironment, startReplicaCluster, type ReplicaCluster } from "./replica-cluster.ts";
import { logsWithMessage, type ReplicaProcess } from "./replica-process.ts";
import { DEFAULT_LEASE_SHARDS } from "../../src/replicas/replica-settings.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const controlPlane = useSharedControlPlane();
/** Seconds kwok keeps each step's pod running: long enough for a failover to find the second step still running. */
const STEP_SECONDS = 20;
/** The takeover the replicas promise with the default 15-second Leases. */
const MAX_FAILOVER_MS = 30_000;
/** The Copilot coding agent as GitHub sends it as a push's sender; built-in agent rules classify it as an agent. */
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };

let cluster: ReplicaCluster;

beforeAll(async () => {
  cluster = await startReplicaCluster({ controlPlane, replicaIds: ["replica-a", "replica-b"], stepSeconds: STEP_SECONDS });
  await cluster.waitForSplit();
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  cluster?.github.assertNoViolations();
});

function checkRunsFor(sha: string) {
  return cluster.github.checkRuns().filter((run) => run.head_sha === sha);
}

async function waitForCompletedCheckRun(sha: string, timeoutMs: number) {
  return waitUntil(async () => checkRunsFor(sha).find((run) => run.status === "completed"), { description: `the check run of ${sha.slice(0, 7)} to complete`, timeoutMs });
}

/** Requests that completed a check run: one per reported result. */
function completions(checkRunId: number): number {
  return cluster.github.calls.filter((call) => call.method === "PATCH" && call.path.endsWith(`/check-runs/${checkRunId}`) && (call.body as { status?: string } | undefined)?.status === "completed").length;
}

function replica(id: string): ReplicaProcess {
  return cluster.replicas.get(id)!;
}

describe("two replicas", () => {
  it("runs a delivery that both receive at once once", async () => {
    const sha = "1".repeat(40);
    const environment = nameWidgetsEnvironment(8101);

    const { replies } = await deliverPullRequest({ cluster, to: [replica("replica-a"), replica("replica-b")], action: "opened", number: 8101, headSha: sha, id: "delivery-both-8101" });
    const run = await waitForCompletedCheckRun(sha, 120_000);

    expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
    expect(checkRunsFor(sha)).toHaveLength(1);
    expect(run.conclusion).toBe("success");
    expect(completions(run.id)).toBe(1);
    expect((await listStepJobs(cluster, environment)).map((job) => job.metadata?.labels?.[STEP_LABEL]).sort()).toEqual(["build", "test"]);
  });

  it("resumes a run on the other replica when its owner is killed", async () => {
    const number = 8102;
    const sha = "2".repeat(40);
    const environment = nameWidgetsEnvironment(number);
    const ownerId = await cluster.ownerOf(number);
    const owner = replica(ownerId);
    const survivor = [...cluster.replicas.values()].find((candidate) => candidate !== owner)!;

    // 1. The delivery reaches the replica that does not own the key, which hands it over.
    await deliverPullRequest({ cluster, to: [survivor], action: "opened", number, headSha: sha, id: "delivery-failover-8102" });
    await waitUntil(async () => ((await listStepJobs(cluster, environment)).some((job) => job.metadata?.labels?.[STEP_LABEL] === "test") ? true : undefined), {
      description: "the second step's Job to start",
      timeoutMs: 90_000,
    });

    // 2. SIGKILL in the middle of the second step.
    owner.child.kill("SIGKILL");
    const killedAt = Date.now();
    await owner.exited;
    const run = await waitForCompletedCheckRun(sha, 120_000);

    // 3. Taken over within the bound, resumed on the same check run, reported once.
    const resumed = logsWithMessage(survivor, "interrupted run resumed").find((entry) => entry.environment === environment);
    expect(resumed?.time! - killedAt).toBeLessThan(MAX_FAILOVER_MS);
    expect(logsWithMessage(survivor, "work handed over to the key's owner").length).toBeGreaterThan(0);
    expect(checkRunsFor(sha)).toHaveLength(1);
    expect(run.conclusion).toBe("success");
    expect(completions(run.id)).toBe(1);

    // 4. No step ran twice: one Job per step, each created once; the resumed run adopted both, the finished build and the running test.
    const jobs = await listStepJobs(cluster, environment);
    expect(jobs.map((job) => job.metadata?.labels?.[STEP_LABEL]).sort()).toEqual(["build", "test"]);
    // The killed owner created both Jobs, but SIGKILL can cut its last log lines, so only the survivor's logs are checked.
    const createdBySurvivor = logsWithMessage(survivor, "step job created").filter((entry) => entry.environment === environment);
    const adopted = logsWithMessage(survivor, "step job adopted").filter((entry) => entry.environment === environment);
    expect(createdBySurvivor).toEqual([]);
    expect(adopted.map((entry) => entry.step)).toEqual(["build", "test"]);
    const pods = await cluster.core.listNamespacedPod({ namespace: environment });
    expect(pods.items.map((pod) => pod.metadata?.labels?.[JOB_NAME_LABEL]).sort()).toEqual(jobs.map((job) => job.metadata?.name).sort());

    // 5. Nothing left behind: no source tokens, no run marked in progress, and closing removes the namespace.
    expect((await cluster.core.listNamespacedSecret({ namespace: environment })).items.map((secret) => secret.metadata?.name)).toEqual([]);
    expect((await cluster.core.readNamespace({ name: environment })).metadata?.annotations?.[RUN_STARTED_ANNOTATION]).toBeUndefined();
    await deliverPullRequest({ cluster, to: [survivor], action: "closed", number, headSha: sha, id: "delivery-close-8102" });
    await waitUntil(async () => ((await cluster.core.listNamespace({ labelSelector: `paddock.dev/environment=${environment}` })).items.length === 0 ? true : undefined), {
      description: `namespace ${environment} to be deleted`,
      timeoutMs: 90_000,
    });
  });

  it("resumes an agent branch's run when its owner is killed", async () => {
    const branch = "copilot/failover";
    const sha = "4".repeat(40);
    const environment = nameBranchEnvironment(branch);
    // The previous test killed one replica: start it again, so the branch's key has an owner with a survivor beside it.
    for (const entry of [...cluster.replicas.values()].filter((candidate) => candidate.child.exitCode !== null || candidate.child.signalCode !== null)) await cluster.start(entry.replicaId);
    await cluster.waitForSplit();
    const owner = replica(await cluster.ownerOfBranch(branch));
    const survivor = [...cluster.replicas.values()].find((candidate) => candidate !== owner)!;

    // 1. The Copilot agent's push reaches the replica that does not own the branch's key, which hands it over.
    await deliverPush({ to: [survivor], branch, headSha: sha, sender: COPILOT, id: "delivery-branch-failover" });
    await waitUntil(async () => ((await listStepJobs(cluster, environment)).some((job) => job.metadata?.labels?.[STEP_LABEL] === "test") ? true : undefined), {
      description: "the branch run's second step Job to start",
      timeoutMs: 90_000,
    });

    // 2. SIGKILL in the middle of the second step.
    owner.child.kill("SIGKILL");
    await owner.exited;
    const run = await waitForCompletedCheckRun(sha, 120_000);

    // 3. Resumed on the same check run, reported once, with no step run twice.
    expect(logsWithMessage(survivor, "interrupted run resumed").filter((entry) => entry.environment === environment)).toHaveLength(1);
    expect(checkRunsFor(sha)).toHaveLength(1);
    expect(run.conclusion).toBe("success");
    expect(completions(run.id)).toBe(1);
    const jobs = await listStepJobs(cluster, environment);
    expect(jobs.map((job) => job.metadata?.labels?.[STEP_LABEL]).sort()).toEqual(["build", "test"]);
    // The killed owner created both Jobs, but SIGKILL can cut its last log lines, so only the survivor's logs are checked.
    const createdBySurvivor = logsWithMessage(survivor, "step job created").filter((entry) => entry.environment === environment);
    const adopted = logsWithMessage(survivor, "step job adopted").filter((entry) => entry.environment === environment);
    expect(createdBySurvivor).toEqual([]);
    expect(adopted.map((entry) => entry.step)).toEqual(["build", "test"]);
    // The run is marked finished just after its check run completes.
    await waitUntil(async () => ((await cluster.core.readNamespace({ name: environment })).metadata?.annotations?.[RUN_STARTED_ANNOTATION] === undefined ? true : undefined), {
      description: `namespace ${environment} to no longer record a running run`,
      timeoutMs: 30_000,
    });
  });

  it("closes its front and hands its Leases back on SIGTERM", async () => {
    const leaving = [...cluster.replicas.values()].find((candidate) => candidate.child.exitCode === null && candidate.child.signalCode === null)!;
    const staying = await cluster.start("replica-c");
    await cluster.waitForSplit();

    leaving.child.kill("SIGTERM");
    const code = await leaving.exited;
    // The process released its Leases before it exited, so none names it any more.
    const holdersAtExit = [...(await cluster.shardHolders()).values()];
    const reply = await deliverPullRequest({ cluster, to: [leaving], action: "opened", number: 8103, headSha: "3".repeat(40), id: "delivery-after-sigterm" }).catch((error: NodeJS.ErrnoException) => error.code);
    await waitUntil(async () => ([...(await cluster.shardHolders()).values()].filter((holder) => holder === staying.replicaId).length === DEFAULT_LEASE_SHARDS ? true : undefined), {
      description: `${staying.replicaId} to hold every shard`,
      timeoutMs: 60_000,
    });

    expect(code).toBe(0);
    expect(logsWithMessage(leaving, "SIGTERM received; closing the webhook front and releasing leases")).toHaveLength(1);
    expect(logsWithMessage(leaving, "webhook front closed")).toHaveLength(1);
    expect(holdersAtExit).not.toContain(leaving.replicaId);
    expect(reply).toBe("ECONNREFUSED");
  });
});
