import { CoreV1Api } from "@kubernetes/client-node";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadActionKubeConfig, type ActionProviderFactory } from "../../src/action/create-action-provider.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { runActionStep } from "../action/action-step.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const controlPlane = useSharedControlPlane();
const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);

const CONFIG = [
  "environment:",
  "  resources: { cpu: 500m, memory: 512Mi }",
  "steps:",
  "  - name: build",
  "    image: node:24",
  "    run: npm run build",
  "  - name: test",
  "    image: node:24",
  "    run: npm test",
  "    junit: reports/junit.xml",
  "",
].join("\n");

/** A JUnit summary as the step container writes it to its termination message. */
const FAILING_SUMMARY = JSON.stringify({
  paddock: "junit-summary/v1",
  tests: 2,
  failed: 1,
  errors: 0,
  skipped: 0,
  omitted: 0,
  cases: [{ kind: "failure", name: "multiplies", classname: "math", file: "/workspace/test/math.test.js", line: "9", message: "6 !== 7" }],
});

const TOKEN = "ghp_clustertesttoken0001";

// kwok ends each step's pod as these annotations specify. A test sets them per step name.
let kwokBehaviour: Record<string, Record<string, string>> = {};
let fake: FakeGitHub;

/** Builds the Kubernetes provider from the kubeconfig file the Action wrote, with kwok's pod annotations. */
const createProvider: ActionProviderFactory = async ({ kubeconfigPath, logger }) =>
  createKubernetesProvider({ kubeConfig: loadActionKubeConfig(kubeconfigPath!), logger, podAnnotations: (step) => kwokBehaviour[step.name] ?? {} });

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
});

beforeEach(() => {
  // The control plane listens on 127.0.0.1, so loopback stays open while GitHub is faked.
  fake = createFakeGitHub({ allowLoopback: true });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Creates a checkout with the config only: the cluster downloads the commit itself. */
function createWorkspace(): string {
  const workspace = mkdtempSync(join(tmpdir(), "paddock-action-k8s-"));
  mkdirSync(join(workspace, ".github"));
  writeFileSync(join(workspace, ".github", "paddock.yml"), CONFIG);
  return workspace;
}

/** Builds a real pull request payload of its own number and head commit. */
function pullRequestPayload(action: "opened" | "closed", number: number, sha: string) {
  // Patched: number and head SHA, so each test has its own environment.
  return patchPayload(loadWebhookExample({ name: "pull_request", action }), { number, "pull_request.number": number, "pull_request.head.sha": sha });
}

describe("Action on the Kubernetes provider", () => {
  it("runs up and down on a namespace", async () => {
    kwokBehaviour = { test: { "paddock.test/exit-code": "1", "paddock.test/termination-message": FAILING_SUMMARY } };
    const workspace = createWorkspace();
    const runnerTemp = mkdtempSync(join(tmpdir(), "paddock-job-"));
    const kubeconfig = controlPlane.kubeconfigYaml("admin");
    const step = { eventName: "pull_request", workspace, runnerTemp, createProvider, env: { GITHUB_ACTOR: "Codertocat" } };

    const up = await runActionStep({ ...step, payload: pullRequestPayload("opened", 7101, "e".repeat(40)), inputs: { command: "up", "github-token": TOKEN, kubeconfig } });
    const namespace = up.outputs.namespace!;
    const live = await core.readNamespace({ name: namespace });
    const down = await runActionStep({ ...step, payload: pullRequestPayload("closed", 7101, "e".repeat(40)), inputs: { command: "down", kubeconfig } });

    expect(up.exitCode).toBe(1);
    expect(up.outputs.conclusion).toBe("failure");
    expect(namespace).toBe(up.outputs.environment);
    expect(up.stdout).toContain(`::add-mask::${controlPlane.adminToken}\n`);
    expect(up.stdout).toContain("::error title=multiplies,file=test/math.test.js,line=9::");
    expect(fake.checkRuns()[0]?.conclusion).toBe("failure");
    expect(live.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(live.metadata?.annotations?.["paddock.dev/actor"]).toBe("Codertocat");
    expect(down.exitCode).toBe(0);
    expect(down.summary.split("\n")[0]).toBe(`## Environment ${namespace} torn down`);
    const remaining = async () => (await core.listNamespace({ labelSelector: `paddock.dev/environment=${namespace}` })).items.length;
    await waitUntil(async () => ((await remaining()) === 0 ? true : undefined), { description: `namespace ${namespace} to be deleted` });
  });

  it("requires a token to fetch the commit in the cluster", async () => {
    kwokBehaviour = {};
    const workspace = createWorkspace();

    const result = await runActionStep({
      eventName: "pull_request",
      workspace,
      createProvider,
      payload: pullRequestPayload("opened", 7102, "f".repeat(40)),
      inputs: { command: "up", kubeconfig: controlPlane.kubeconfigYaml("admin") },
    });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("::error::the source of commit fffffff cannot be fetched: the cluster downloads it from GitHub. set github-token so the cluster can download the commit\n");
  });
});
