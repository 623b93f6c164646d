/**
 * Measures how long a Paddock replica takes to resume the run of a replica killed with SIGKILL.
 * Starts its own control plane, a loopback GitHub and two replicas from app/main.ts with the
 * default Lease settings: 15 s duration, 10 s renew deadline, 2 s retry period, 16 shards. Each
 * run opens a pull request through the replica that does not own its key and kills the owner
 * once the second of two 20-second steps runs. Then it reads the survivor's log.
 *
 *   node --import tsx bench/replica-failover.ts [--runs N]
 *
 * takeover: from the kill to the survivor's log line "interrupted run resumed" for the run.
 * completed: from the kill to the check run's completion on the loopback GitHub.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { parseArgs } from "node:util";

import { startControlPlane } from "../test/cluster/control-plane.ts";
import { deliverPullRequest, listStepJobs, nameWidgetsEnvironment, startReplicaCluster, type ReplicaCluster } from "../test/cluster/replica-cluster.ts";
import { logsWithMessage } from "../test/cluster/replica-process.ts";
import { waitUntil } from "../test/cluster/wait-until.ts";
import { STEP_LABEL } from "../src/providers/kubernetes/manifests/job-manifest.ts";
import { percentile } from "./percentiles.ts";

const STEP_SECONDS = 20;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs} is invalid: pass a positive whole number`);

  const controlPlane = await startControlPlane();
  let cluster: ReplicaCluster | undefined;
  try {
    cluster = await startReplicaCluster({ controlPlane, replicaIds: ["replica-a", "replica-b"], stepSeconds: STEP_SECONDS });
    console.log(`replica failover: ${runs} runs, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}`);
    console.log(`load before: ${execFileSync("uptime").toString().trim()}\n`);
    const takeovers: number[] = [];
    const completions: number[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const result = await measureRun(cluster, 8300 + run);
      takeovers.push(result.takeoverMs);
      completions.push(result.completedMs);
      console.log(`run ${run}: killed ${result.killed}, takeover ${(result.takeoverMs / 1000).toFixed(1)} s, completed ${(result.completedMs / 1000).toFixed(1)} s after the kill`);
    }
    console.log(`\ntakeover  p50 ${(percentile(takeovers, 50) / 1000).toFixed(1)} s, max ${(Math.max(...takeovers) / 1000).toFixed(1)} s`);
    console.log(`completed p50 ${(percentile(completions, 50) / 1000).toFixed(1)} s, max ${(Math.max(...completions) / 1000).toFixed(1)} s`);
    console.log(`load after: ${execFileSync("uptime").toString().trim()}`);
  } finally {
    await cluster?.stop();
    await controlPlane.stop();
  }
}

async function measureRun(cluster: ReplicaCluster, number: number): Promise<{ killed: string; takeoverMs: number; completedMs: number }> {
  await cluster.waitForSplit();
  const sha = number.toString(16).padStart(40, "0");
  const environment = nameWidgetsEnvironment(number);
  const ownerId = await cluster.ownerOf(number);
  const owner = cluster.replicas.get(ownerId)!;
  const survivor = [...cluster.replicas.values()].find((replica) => replica !== owner)!;

  await deliverPullRequest({ cluster, to: [survivor], action: "opened", number, headSha: sha, id: `delivery-bench-${number}` });
  await waitUntil(async () => ((await listStepJobs(cluster, environment)).some((job) => job.metadata?.labels?.[STEP_LABEL] === "test") ? true : undefined), { description: "the second step to start", timeoutMs: 120_000 });
  owner.child.kill("SIGKILL");
  const killedAt = Date.now();
  await owner.exited;

  const resumed = await waitUntil(async () => logsWithMessage(survivor, "interrupted run resumed").find((entry) => entry.environment === environment), { description: "the survivor to resume the run", timeoutMs: 120_000 });
  const run = await waitUntil(async () => cluster.github.checkRuns().find((candidate) => candidate.head_sha === sha && candidate.status === "completed"), { description: "the check run to complete", timeoutMs: 120_000 });
  if (run.conclusion !== "success") throw new Error(`run ${number} ended ${run.conclusion}, expected success`);
  const completedMs = Date.parse(run.completed_at ?? "") - killedAt;

  await cluster.start(ownerId);
  return { killed: ownerId, takeoverMs: resumed.time! - killedAt, completedMs };
}

await main();
