import { AppsV1Api, BatchV1Api } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { CheckRunView } from "../../src/checks/check-run-view.ts";
import { readRepoConfig } from "../../src/config/load-repo-config.ts";
import { planEnvironment } from "../../src/environments/plan-environment.ts";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { orgPolicySchema } from "../../src/policy/org-policy-schema.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { STEP_LABEL } from "../../src/providers/kubernetes/manifests/job-manifest.ts";
import { buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { BUILD_NAMESPACE, fakeDigest, TEST_REGISTRY } from "./stack-fixtures.ts";

const controlPlane = useSharedControlPlane();
const apps = controlPlane.kubeConfig().makeApiClient(AppsV1Api);
const batch = controlPlane.kubeConfig().makeApiClient(BatchV1Api);
const SHA = "c".repeat(40);

// kwok ends each pod as these annotations set: builds keyed by image repository, services by name.
// The tests run one after another, so a test may change a service's entry before its run.
const buildBehaviour: Record<string, Record<string, string>> = {};
const serviceBehaviour: Record<string, Record<string, string>> = {};
const provider = createKubernetesProvider({
  kubeConfig: impersonate(controlPlane),
  buildPodAnnotations: (image) => buildBehaviour[image.repository] ?? { "paddock.test/termination-message": fakeDigest(image.name) },
  servicePodAnnotations: (service) => serviceBehaviour[service.name] ?? {},
});
const policy = orgPolicySchema.parse({
  build: { registry: TEST_REGISTRY, namespace: BUILD_NAMESPACE },
  preview: { host: "{environment}.preview.paddock.invalid" },
});
const environments: string[] = [];

function planFor(repository: string, serviceTimeout: string) {
  const text = [
    "steps:",
    "  - name: e2e",
    "    run: npm run e2e",
    "images:",
    "  - name: web",
    "services:",
    "  - name: web",
    "    image: web",
    "    port: 8080",
    "    ready: { http: /healthz }",
    `    timeout: ${serviceTimeout}`,
    "expose: { service: web, port: 8080 }",
  ].join("\n");
  const lookup = readRepoConfig({ text });
  if (lookup.kind !== "valid") throw new Error(`the test config is invalid: ${JSON.stringify(lookup)}`);
  const plan = planEnvironment({
    event: {
      repository: { id: 9000 + environments.length, owner: "acme", name: repository, fullName: `acme/${repository}`, defaultBranch: "main" },
      sender: { login: "octocat", id: 7, type: "User" },
      pullRequest: { number: 7, headSha: SHA, headRef: "feature" },
    },
    config: { value: lookup.config, file: lookup.file, locate: lookup.locate },
    policy,
    policySource: { kind: "defaults" },
    now: new Date(),
  });
  environments.push(plan.environment.name);
  return plan;
}

async function run(plan: ReturnType<typeof planFor>): Promise<CheckRunView> {
  const view: CheckRunView = { environmentName: plan.environment.name, headSha: SHA, provider: "kubernetes", status: "queued", steps: [], configProblems: [], notes: [] };
  return runPipeline({ provider, plan, source: buildTestSource(SHA), view, signal: new AbortController().signal, onProgress: async () => {}, logger: pino({ enabled: false }) });
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
});

afterAll(async () => {
  await Promise.all(environments.map((name) => provider.teardown({ environmentName: name })));
});

describe("pipeline with a kubernetes stack", () => {
  it("runs tests against ready services", async () => {
    const plan = planFor("storefront", "1m");
    const view = await run(plan);
    const namespace = plan.environment.name;
    const web = await apps.readNamespacedDeployment({ namespace, name: "web" });
    const [job] = (await batch.listNamespacedJob({ namespace, labelSelector: `${STEP_LABEL}=e2e` })).items;
    const env = job?.spec?.template.spec?.containers[0]?.env ?? [];

    expect([view.conclusion, view.headline]).toEqual(["success", undefined]);
    expect(view.services?.map((service) => [service.name, service.status])).toEqual([["web", "ready"]]);
    expect(web.spec?.template.spec?.containers[0]?.image).toBe(`${TEST_REGISTRY}/acme/storefront/web@${fakeDigest("web")}`);
    expect(env.find((variable) => variable.name === "PADDOCK_SERVICE_WEB_URL")?.value).toBe(`http://web.${namespace}.svc:8080`);
    expect(view.previewUrl).toBe(`http://${namespace}.preview.paddock.invalid/`);
    expect(view.notes).toContain(`Preview: http://${namespace}.preview.paddock.invalid/`);
    // The service runs on for the preview, so the projection charges it until expiry.
    expect(view.cost?.services?.map((service) => [service.name, service.untilTeardown])).toEqual([["web", true]]);
    expect(view.cost!.projectedNanos).toBeGreaterThan(view.cost!.soFarNanos);
  });

  it("failed build names the image", async () => {
    buildBehaviour[`${TEST_REGISTRY}/acme/brokenshop/web`] = { "paddock.test/exit-code": "1", "paddock.test/termination-message": "ERROR: failed to solve: dockerfile parse error on line 3" };
    const plan = planFor("brokenshop", "1m");

    const view = await run(plan);
    const jobs = await batch.listNamespacedJob({ namespace: BUILD_NAMESPACE, labelSelector: `paddock.dev/environment=${plan.environment.name}` });

    expect(view.conclusion).toBe("failure");
    expect(jobs.items).toHaveLength(1);
    expect(view.headline).toBe(
      `Image build failed: image web (${TEST_REGISTRY}/acme/brokenshop/web:${SHA}): Job ${BUILD_NAMESPACE}/${jobs.items[0]!.metadata!.name} failed ` +
        "(BackoffLimitExceeded: Job has reached the specified backoff limit): exited with code 1: " +
        "ERROR: failed to solve: dockerfile parse error on line 3. Fix the Dockerfile or the images section of .github/paddock.yml, then push again",
    );
    expect(view.steps.map((step) => step.status)).toEqual(["skipped"]);
    expect(view.services).toBeUndefined();
  });

  it("unready service skips the steps", async () => {
    const plan = planFor("slowshop", "3s");
    serviceBehaviour.web = { "paddock.test/ready": "false" };

    const view = await run(plan);

    expect(view.conclusion).toBe("failure");
    expect(view.headline).toMatch(/^A service failed, so no step ran: not ready within 3s: pod web-[a-z0-9]+-[a-z0-9]{5}: phase Running, /);
    expect(view.headline).toContain("Warning Unhealthy on Pod web-");
    expect(view.services?.map((service) => [service.name, service.status])).toEqual([["web", "failed"]]);
    expect(view.previewUrl).toBeUndefined();
    expect(view.steps.map((step) => step.status)).toEqual(["skipped"]);
  });
});
