import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PREVIEW_DEPLOYMENT_ANNOTATION } from "../../src/github/preview-deployment.ts";
import { statusObject } from "../app/deployment-fixtures.ts";
import { serveRoles } from "../app/governance-fixtures.ts";
import { WIDGETS } from "../loopback-github/loopback-fixtures.ts";
import { LOOPBACK_WEBHOOK_SECRET } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook } from "../loopback-github/webhook-sender.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { deliverPullRequest, deliverPush, listStepJobs, nameBranchEnvironment, nameWidgetsEnvironment, startReplicaCluster, type ReplicaCluster } from "./replica-cluster.ts";
import { logsWithMessage, type ReplicaProcess } from "./replica-process.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

const controlPlane = useSharedControlPlane();
/** Seconds kwok keeps each step's pod running: long enough for a pull request to arrive while a branch's run is in its steps. */
const STEP_SECONDS = 8;
/** The Copilot coding agent as GitHub sends it as a push's sender; built-in agent rules classify it as an agent. */
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };

let cluster: ReplicaCluster;
/** Every deployment status request that reached the loopback GitHub, in arrival order. */
const statuses: Array<{ path: string; body: unknown }> = [];

beforeAll(async () => {
  cluster = await startReplicaCluster({ controlPlane, replicaIds: ["replica-a", "replica-b"], stepSeconds: STEP_SECONDS });
  serveRoles(cluster.github, { maintainer: "write" });
  cluster.github.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", (request) => {
    statuses.push({ path: request.path, body: request.body });
    return jsonResponse(201, statusObject(request.body as { state: string }));
  });
  await cluster.waitForSplit();
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  cluster?.github.assertNoViolations();
});

/** Returns the replica that owns a pull request's key and one that does not. */
async function splitByOwner(pullRequest: number): Promise<{ owner: ReplicaProcess; other: ReplicaProcess }> {
  const ownerId = await cluster.ownerOf(pullRequest);
  const owner = cluster.replicas.get(ownerId)!;
  const other = [...cluster.replicas.values()].find((candidate) => candidate !== owner)!;
  return { owner, other };
}

/** A real check_run.requested_action payload of acme/widgets: `maintainer` presses `identifier` on check run `id`. */
function pressButton(options: { id: number; headSha: string; identifier: string }) {
  const template = loadWebhookExample({ name: "check_run", action: "requested_action", withInstallation: true });
  return patchPayload(template, {
    installation: { ...template.installation, id: WIDGETS.installationId },
    "repository.id": WIDGETS.repositoryId,
    "repository.name": WIDGETS.repo,
    "repository.full_name": `${WIDGETS.owner}/${WIDGETS.repo}`,
    "repository.owner.login": WIDGETS.owner,
    "check_run.id": options.id,
    "check_run.head_sha": options.headSha,
    "requested_action.identifier": options.identifier,
    "sender.login": "maintainer",
    "sender.type": "User",
  });
}

describe("handed-over teardown", () => {
  it("marks the preview deployment inactive", async () => {
    const number = 8201;
    const sha = "3".repeat(40);
    const environment = nameWidgetsEnvironment(number);
    const { owner, other } = await splitByOwner(number);

    // 1. The pull request's run finishes on the replica that owns its key.
    await deliverPullRequest({ cluster, to: [owner], action: "opened", number, headSha: sha, id: "delivery-preview-8201" });
    const run = await waitUntil(async () => cluster.github.checkRuns().find((candidate) => candidate.head_sha === sha && candidate.status === "completed"), {
      description: "the pull request's check run to complete",
      timeoutMs: 90_000,
    });
    expect(run.conclusion).toBe("success");

    // 2. The environment records a preview deployment, as a run with a preview host does.
    // A merge patch, as the app writes its annotations: the app may still be updating the namespace.
    await cluster.core.patchNamespace({ name: environment, body: { metadata: { annotations: { [PREVIEW_DEPLOYMENT_ANNOTATION]: "4712" } } } }, MERGE_PATCH);

    // 3. Destroy is pressed on the replica that does not own the key, which hands the teardown over.
    const payload = pressButton({ id: run.id, headSha: sha, identifier: `destroy:${number}` });
    const reply = await sendWebhook({ url: other.webhookUrl, delivery: { name: "check_run", id: "delivery-destroy-8201", payload, secret: LOOPBACK_WEBHOOK_SECRET } });
    expect(reply.status).toBe(200);
    await waitUntil(async () => (statuses.length > 0 ? true : undefined), { description: "a deployment status request", timeoutMs: 60_000 });
    await waitUntil(async () => ((await cluster.core.listNamespace({ labelSelector: `paddock.dev/environment=${environment}` })).items.length === 0 ? true : undefined), {
      description: `namespace ${environment} to be deleted`,
      timeoutMs: 90_000,
    });

    // 4. The owner tore the environment down and marked its deployment inactive, through installation 77.
    expect(logsWithMessage(other, "work handed over to the key's owner").map((entry) => entry.kind)).toEqual(["teardown"]);
    // The owner logs after GitHub's reply, which can come after the namespace is gone.
    const marked = await waitUntil(async () => {
      const entries = logsWithMessage(owner, "preview deployment marked inactive");
      return entries.length > 0 ? entries : undefined;
    }, { description: "the owner to log the inactive deployment", timeoutMs: 30_000 });
    expect(marked.map((entry) => entry.deploymentId)).toEqual([4712]);
    expect(statuses).toEqual([{ path: "/repos/acme/widgets/deployments/4712/statuses", body: { state: "inactive", description: "Environment torn down: requested by maintainer" } }]);
    const statusCall = cluster.github.calls.find((call) => call.method === "POST" && call.path.endsWith("/deployments/4712/statuses"));
    expect(statusCall?.installationId).toBe(WIDGETS.installationId);
  });
});

describe("pull request from an agent branch", () => {
  it("stops the branch's run on the other replica first", async () => {
    const branch = "copilot/takeover";
    const sha = "5".repeat(40);
    const environment = nameBranchEnvironment(branch);
    const branchOwner = cluster.replicas.get(await cluster.ownerOfBranch(branch))!;
    // A pull request number whose key the other replica owns, so the branch's work runs on a replica that never receives the pull request.
    let number = 8300;
    while (cluster.replicas.get(await cluster.ownerOf(number)) === branchOwner) number += 1;
    const pullRequestOwner = cluster.replicas.get(await cluster.ownerOf(number))!;

    // 1. The agent's push runs on the branch's owner, which is in the first step when the pull request opens.
    await deliverPush({ to: [branchOwner], branch, headSha: sha, sender: COPILOT, id: "delivery-takeover-push" });
    await waitUntil(async () => ((await listStepJobs(cluster, environment)).length > 0 ? true : undefined), { description: "the branch run's first Job", timeoutMs: 90_000 });
    const payload = buildPullRequestPayload({ ...WIDGETS, action: "opened", number, headSha: sha, headRef: branch });
    cluster.github.setPullRequest({ owner: WIDGETS.owner, repo: WIDGETS.repo, pullRequest: toServedPullRequest(payload) });
    await sendWebhook({ url: pullRequestOwner.webhookUrl, delivery: { name: "pull_request", id: "delivery-takeover-pull", payload, secret: LOOPBACK_WEBHOOK_SECRET } });
    const runs = await waitUntil(
      async () => {
        const forSha = cluster.github.checkRuns().filter((run) => run.head_sha === sha);
        return forSha.length === 2 && forSha.every((run) => run.status === "completed") ? forSha : undefined;
      },
      { description: "both check runs of the commit to complete", timeoutMs: 120_000 },
    );

    // 2. The branch's run was cancelled before the pull request's run started, so the two never overlapped.
    const [branchRun, pullRequestRun] = runs;
    expect(branchRun?.conclusion).toBe("cancelled");
    expect(branchRun?.output.summary).toContain(`Cancelled: pull request #${number} took over this branch's environment`);
    expect(pullRequestRun?.conclusion).toBe("success");
    expect(Date.parse(branchRun!.completed_at!)).toBeLessThanOrEqual(Date.parse(pullRequestRun!.started_at!));
    expect(logsWithMessage(pullRequestOwner, "work handed over to the key's owner").filter((entry) => entry.kind === "preempt")).toHaveLength(1);
    expect(logsWithMessage(branchOwner, "work of the key stopped")).toHaveLength(1);

    // 3. One namespace, now labelled with the pull request.
    const namespaces = await cluster.core.listNamespace({ labelSelector: `paddock.dev/repository-id=${WIDGETS.repositoryId}` });
    const forBranch = namespaces.items.filter((namespace) => namespace.metadata?.annotations?.["paddock.dev/branch"] === branch);
    expect(forBranch.map((namespace) => namespace.metadata?.name)).toEqual([environment]);
    expect(forBranch[0]?.metadata?.labels?.["paddock.dev/pull-request"]).toBe(String(number));
  });
});
