import { BatchV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { readStepReport } from "../../src/pipeline/read-step-report.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { STEP_LABEL } from "../../src/providers/kubernetes/manifests/job-manifest.ts";
import { nameSourceSecret } from "../../src/providers/kubernetes/manifests/source-secret-manifest.ts";
import type { PreparedEnvironment, StepSpec } from "../../src/providers/provider.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const controlPlane = useSharedControlPlane();
const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const batch = controlPlane.kubeConfig().makeApiClient(BatchV1Api);

// kwok ends each pod as these annotations set, keyed here by step name.
const kwokBehaviour: Record<string, Record<string, string>> = {};
const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane), podAnnotations: (step) => kwokBehaviour[step.name] ?? {} });
const environment = buildBranchEnvironment({ repository: "acme/steps", branch: "main" });
let prepared: PreparedEnvironment;

const JUNIT_SUMMARY = JSON.stringify({
  paddock: "junit-summary/v1",
  tests: 4,
  failed: 1,
  errors: 1,
  skipped: 1,
  omitted: 0,
  cases: [
    { kind: "failure", name: "adds", classname: "math", file: "/workspace/test/math.test.ts", line: "12", message: "expected 3 to be 4\nmore" },
    { kind: "error", name: "loads", message: "ENOENT", frame: "/workspace/src/load.ts:7" },
  ],
});

function step(name: string, behaviour: Record<string, string>, extra: Partial<StepSpec> = {}): StepSpec {
  kwokBehaviour[name] = behaviour;
  return { name, run: "npm test", timeoutSeconds: 60, env: { CI: "true" }, ...extra };
}

async function runStep(spec: StepSpec, signal = new AbortController().signal) {
  return provider.runStep({ prepared, step: spec, signal });
}

async function listJobs(stepName: string) {
  return (await batch.listNamespacedJob({ namespace: environment.name, labelSelector: `${STEP_LABEL}=${stepName}` })).items;
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  prepared = await provider.prepare({ environment, source: buildTestSource(), signal: new AbortController().signal });
});

afterAll(async () => {
  await provider.teardown({ environmentName: environment.name });
});

describe("kubernetes step results", () => {
  it("success resolves with exit code 0", async () => {
    const result = await runStep(step("build", {}));

    expect(result.status).toBe("success");
    expect(result.exitCode).toBe(0);
    expect(result.reason).toBeUndefined();
    // kwok serves log requests on the fake node's kubelet port but has no logs configured.
    expect(result.outputTail).toMatch(/^Log unavailable: Kubernetes request get pods\/log\/build-c{7}-[0-9a-f]{6}-[a-z0-9]{5} in namespace .* failed with 400 BadRequest: no logs found for container "step" in pod /);
  });

  it("success deletes the source secret", async () => {
    const [job] = await listJobs("build");

    const secrets = await core.listNamespacedSecret({ namespace: environment.name, fieldSelector: `metadata.name=${nameSourceSecret(job?.metadata?.name ?? "")}` });
    expect(secrets.items).toEqual([]);
  });

  it("job follows the restricted profile", async () => {
    const [job] = await listJobs("build");
    const spec = job?.spec;
    const pod = spec?.template.spec;

    expect([spec?.backoffLimit, spec?.activeDeadlineSeconds, spec?.ttlSecondsAfterFinished]).toEqual([0, 60, 600]);
    expect([pod?.restartPolicy, pod?.serviceAccountName, pod?.automountServiceAccountToken]).toEqual(["Never", "paddock-step", false]);
    expect(pod?.initContainers?.map((container) => container.name)).toEqual(["source"]);
    expect(pod?.volumes?.[0]?.emptyDir).toEqual({});
    expect(pod?.containers[0]?.command?.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(pod?.containers[0]?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 1000 });
  });

  it("failure carries exit code and JUnit failures", async () => {
    const result = await runStep(step("unit", { "paddock.test/exit-code": "3", "paddock.test/termination-message": JUNIT_SUMMARY }, { junitPath: "junit.xml" }));
    const report = result.report ? readStepReport(result.report) : undefined;

    expect([result.status, result.exitCode, result.reason]).toEqual(["failure", 3, "exited with code 3"]);
    expect(report).toEqual({
      ok: true,
      tests: { total: 4, failed: 1, errors: 1, skipped: 1 },
      failures: [
        { file: "test/math.test.ts", line: 12, title: "adds", message: "expected 3 to be 4" },
        { file: "src/load.ts", line: 7, title: "loads", message: "ENOENT" },
      ],
    });
  });

  it("failure quotes a plain termination message", async () => {
    const result = await runStep(step("lint", { "paddock.test/exit-code": "2", "paddock.test/termination-message": "3 problems found" }));

    expect(result.reason).toBe("exited with code 2; termination message: 3 problems found");
  });

  it("timeout resolves as timed_out", async () => {
    const result = await runStep(step("slow", { "paddock.test/run-seconds": "60" }, { timeoutSeconds: 2 }));

    expect(result.status).toBe("timed_out");
    expect(result.reason).toMatch(/^timed out after 2s/);
  });

  it("abort deletes the job and resolves as cancelled", async () => {
    const controller = new AbortController();
    const running = runStep(step("endless", { "paddock.test/run-seconds": "600" }), controller.signal);
    const pod = await waitUntil(
      async () => (await core.listNamespacedPod({ namespace: environment.name, labelSelector: `${STEP_LABEL}=endless` })).items.find((candidate) => candidate.status?.phase === "Running"),
      { description: "the endless step's pod to run" },
    );
    const jobName = pod.metadata?.labels?.["batch.kubernetes.io/job-name"] ?? "";
    const secret = await core.readNamespacedSecret({ namespace: environment.name, name: nameSourceSecret(jobName) });

    controller.abort(new Error("superseded by 1a2b3c4"));
    const result = await running;

    expect(secret.metadata?.ownerReferences?.map((owner) => `${owner.kind}/${owner.name}`)).toEqual([`Job/${jobName}`]);
    expect([result.status, result.exitCode, result.reason]).toEqual(["cancelled", null, "cancelled: superseded by 1a2b3c4"]);
    await waitUntil(async () => ((await listJobs("endless")).length === 0 ? true : undefined), { description: "the endless step's job to be deleted" });
    await waitUntil(
      async () => ((await core.listNamespacedPod({ namespace: environment.name, labelSelector: `${STEP_LABEL}=endless` })).items.length === 0 ? true : undefined),
      { description: "the endless step's pod to be deleted" },
    );
  });

  it("quota rejection fails the step with the event", async () => {
    const securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } };
    await core.createNamespacedPod({ namespace: environment.name, body: { metadata: { name: "quota-hog" }, spec: { containers: [{ name: "hog", image: "registry.invalid/hog:1", securityContext }] } } });

    const result = await runStep(step("starved", {}));
    await core.deleteNamespacedPod({ namespace: environment.name, name: "quota-hog", gracePeriodSeconds: 0 });

    expect([result.status, result.exitCode]).toEqual(["failure", null]);
    expect(result.reason).toMatch(/^the step's pod could not be created \(FailedCreate\): Error creating: pods "starved-c{7}-[0-9a-f]{6}-[a-z0-9]{5}" is forbidden: exceeded quota: paddock-quota/);
    expect(result.outputTail).toBe("Log unavailable: the step's pod was never created.");
  });
});
