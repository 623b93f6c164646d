import { AppsV1Api, BatchV1Api, CoreV1Api, NetworkingV1Api, NodeV1Api, type V1Job } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../src/errors.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { IMAGE_LABEL } from "../../src/providers/kubernetes/manifests/build-job-manifest.ts";
import { STEP_LABEL } from "../../src/providers/kubernetes/manifests/job-manifest.ts";
import type { EnvironmentSpec, PreparedEnvironment, StartedServices, StepSpec } from "../../src/providers/provider.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { BUILD_NAMESPACE, buildTestImage, buildTestService, fakeDigest, TEST_REGISTRY } from "./stack-fixtures.ts";

const controlPlane = useSharedControlPlane();
const admin = controlPlane.kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const apps = admin.makeApiClient(AppsV1Api);
const batch = admin.makeApiClient(BatchV1Api);
const networking = admin.makeApiClient(NetworkingV1Api);

// kwok ends each pod as these annotations set, keyed by image or service name.
const buildBehaviour: Record<string, Record<string, string>> = {};
const serviceBehaviour: Record<string, Record<string, string>> = {};
const provider = createKubernetesProvider({
  kubeConfig: impersonate(controlPlane),
  buildPodAnnotations: (image) => buildBehaviour[image.name] ?? { "paddock.test/termination-message": fakeDigest(image.name) },
  servicePodAnnotations: (service) => serviceBehaviour[service.name] ?? {},
});
const signal = (): AbortSignal => new AbortController().signal;

async function prepareRejection(environment: EnvironmentSpec): Promise<PaddockError> {
  const error = await provider.prepare({ environment, source: buildTestSource(), signal: signal() }).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof PaddockError)) throw new Error(`expected a PaddockError, got ${String(error)}`);
  return error;
}

async function listBuildJobs(environment: EnvironmentSpec): Promise<V1Job[]> {
  const selector = `paddock.dev/environment=${environment.name}`;
  return (await batch.listNamespacedJob({ namespace: BUILD_NAMESPACE, labelSelector: selector })).items;
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  const runtimeClasses = admin.makeApiClient(NodeV1Api);
  const existing = await runtimeClasses.listRuntimeClass();
  if (!existing.items.some((item) => item.metadata?.name === "gvisor")) {
    await runtimeClasses.createRuntimeClass({ body: { metadata: { name: "gvisor" }, handler: "runsc" } });
  }
});

describe("kubernetes full stack", () => {
  const environment = buildBranchEnvironment({ repository: "acme/shop", branch: "main" });
  environment.stack = {
    images: [buildTestImage("shop", "web")],
    services: [buildTestService("web", { builtImage: "web" }), buildTestService("db", { image: "docker.io/library/postgres:16" }, { port: 5432, ready: { tcp: 5432 } })],
    expose: { service: "web", port: 8080, host: `${environment.name}.preview.paddock.invalid`, ingressClass: "nginx" },
    build: { namespace: BUILD_NAMESPACE, runtimeClass: "gvisor", pushSecret: "paddock-registry-push-4242" },
    deploySteps: true,
  };
  let prepared: PreparedEnvironment;
  let started: StartedServices;
  let startedAt: Date;

  beforeAll(async () => {
    prepared = await provider.prepare({ environment, source: buildTestSource(), signal: signal() });
    started = await provider.startServices({ prepared, services: environment.stack?.services ?? [], signal: signal() });
    startedAt = new Date();
  });

  afterAll(async () => {
    await provider.teardown({ environmentName: environment.name });
  });

  it("services start ready with URLs", () => {
    expect(started.ready).toBe(true);
    expect(started.services.map((service) => [service.name, service.status])).toEqual([
      ["web", "ready"],
      ["db", "ready"],
    ]);
    expect(started.variables).toEqual({
      PADDOCK_SERVICE_WEB_URL: `http://web.${environment.name}.svc:8080`,
      PADDOCK_SERVICE_DB_URL: `http://db.${environment.name}.svc:5432`,
    });
    expect(started.previewUrl).toBe(`http://${environment.name}.preview.paddock.invalid/`);
  });

  it("build job runs rootless in the build namespace", async () => {
    const [job] = await listBuildJobs(environment);
    const pod = job?.spec?.template.spec;
    const container = pod?.containers[0];

    expect(job?.metadata?.labels?.[IMAGE_LABEL]).toBe("web");
    expect(job?.status?.succeeded).toBe(1);
    expect([pod?.runtimeClassName, pod?.automountServiceAccountToken, pod?.restartPolicy]).toEqual(["gvisor", false, "Never"]);
    expect(container?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "Unconfined" }, appArmorProfile: { type: "Unconfined" } });
    expect(container?.securityContext?.privileged).toBeUndefined();
    expect(pod?.volumes?.find((volume) => volume.name === "push-credential")?.secret?.secretName).toBe("paddock-registry-push-4242");
    expect(container?.args).toContain(`type=image,name=${TEST_REGISTRY}/acme/shop/web:${"c".repeat(40)},push=true`);
    expect(container?.args).toContain(`type=registry,ref=${TEST_REGISTRY}/acme/shop/cache,mode=max`);
  });

  it("build pod needs the privileged level", async () => {
    const [job] = await listBuildJobs(environment);
    const probe = `baseline-${environment.name.slice(-10)}`;
    await core.createNamespace({ body: { metadata: { name: probe, labels: { "pod-security.kubernetes.io/enforce": "baseline" } } } });
    const spec = job?.spec?.template.spec;
    if (spec === undefined) throw new Error("the build job has no pod spec");

    const status = await core
      .createNamespacedPod({ namespace: probe, dryRun: "All", body: { metadata: { name: "build-probe" }, spec: { ...spec, runtimeClassName: undefined } } })
      .then(
        () => undefined,
        (error: unknown) => JSON.parse((error as { body: string }).body) as { code: number; message: string },
      );
    await core.deleteNamespace({ name: probe });

    expect(status?.code).toBe(403);
    expect(status?.message).toContain('violates PodSecurity "baseline:latest"');
    expect(status?.message).toContain('forbidden AppArmor profile (container "build" must not set AppArmor profile type to "Unconfined")');
    expect(status?.message).toContain('seccompProfile (container "build" must not set securityContext.seccompProfile.type to "Unconfined")');
  });

  it("build source secret is deleted", async () => {
    const [job] = await listBuildJobs(environment);

    const secrets = await core.listNamespacedSecret({ namespace: BUILD_NAMESPACE, fieldSelector: `metadata.name=${job?.metadata?.name}` });
    expect(secrets.items).toEqual([]);
  });

  it("services use the built image by digest", async () => {
    const web = await apps.readNamespacedDeployment({ namespace: environment.name, name: "web" });
    const db = await apps.readNamespacedDeployment({ namespace: environment.name, name: "db" });

    expect(web.spec?.template.spec?.containers[0]?.image).toBe(`${TEST_REGISTRY}/acme/shop/web@${fakeDigest("web")}`);
    expect(db.spec?.template.spec?.containers[0]?.image).toBe("docker.io/library/postgres:16");
    expect(web.spec?.template.spec?.containers[0]?.readinessProbe?.httpGet).toMatchObject({ path: "/healthz", port: 8080 });
  });

  it("order is build, services ready, then tests", async () => {
    const [job] = await listBuildJobs(environment);
    const buildDone = job?.status?.completionTime?.getTime() ?? Number.NaN;
    const deployments = await apps.listNamespacedDeployment({ namespace: environment.name });
    const created = deployments.items.map((deployment) => deployment.metadata?.creationTimestamp?.getTime() ?? Number.NaN);

    const step: StepSpec = { name: "e2e", run: "npm run e2e", timeoutSeconds: 60, env: { CI: "true" } };
    const result = await provider.runStep({ prepared, step, signal: signal() });
    const [stepJob] = (await batch.listNamespacedJob({ namespace: environment.name, labelSelector: `${STEP_LABEL}=e2e` })).items;

    expect(created.every((time) => time >= buildDone)).toBe(true);
    expect(deployments.items.map((deployment) => deployment.status?.readyReplicas)).toEqual([1, 1]);
    expect(stepJob?.metadata?.creationTimestamp?.getTime()).toBeGreaterThanOrEqual(Math.floor(startedAt.getTime() / 1000) * 1000);
    expect(result.status).toBe("success");
  });

  it("test steps get service URLs", async () => {
    const [stepJob] = (await batch.listNamespacedJob({ namespace: environment.name, labelSelector: `${STEP_LABEL}=e2e` })).items;
    const env = stepJob?.spec?.template.spec?.containers[0]?.env ?? [];

    expect(env.find((variable) => variable.name === "PADDOCK_SERVICE_WEB_URL")?.value).toBe(`http://web.${environment.name}.svc:8080`);
    expect(env.find((variable) => variable.name === "PADDOCK_SERVICE_DB_URL")?.value).toBe(`http://db.${environment.name}.svc:5432`);
    expect(env.find((variable) => variable.name === "CI")?.value).toBe("true");
  });

  it("ingress routes the preview host", async () => {
    const ingress = await networking.readNamespacedIngress({ namespace: environment.name, name: "paddock-preview" });

    expect(ingress.spec?.ingressClassName).toBe("nginx");
    expect(ingress.spec?.rules?.[0]?.host).toBe(`${environment.name}.preview.paddock.invalid`);
    expect(ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service).toEqual({ name: "web", port: { number: 8080 } });
  });

  it("network policy opens the namespace to itself", async () => {
    const policy = await networking.readNamespacedNetworkPolicy({ namespace: environment.name, name: "paddock-default-deny" });

    expect(policy.spec?.ingress?.map((rule) => [rule._from, rule.ports])).toEqual([
      [[{ podSelector: {} }], undefined],
      [[{ namespaceSelector: {} }], [{ protocol: "TCP", port: 8080 }]],
    ]);
    expect(policy.spec?.egress?.at(-1)).toEqual({ to: [{ podSelector: {} }] });
  });

  it("quota has room for every service", async () => {
    const quota = await core.readNamespacedResourceQuota({ namespace: environment.name, name: "paddock-quota" });

    expect(quota.spec?.hard).toMatchObject({ "requests.cpu": "2500m", "limits.memory": "2560Mi", pods: "8" });
  });

  it("deploy step runs with the deploy token", async () => {
    const step: StepSpec = { name: "helm", run: "helm upgrade --install shop chart/", timeoutSeconds: 60, env: {}, deploy: true };
    const result = await provider.runStep({ prepared, step, signal: signal() });
    const [job] = (await batch.listNamespacedJob({ namespace: environment.name, labelSelector: `${STEP_LABEL}=helm` })).items;
    const pod = job?.spec?.template.spec;

    expect(result.status).toBe("success");
    expect([pod?.serviceAccountName, pod?.automountServiceAccountToken]).toEqual(["paddock-deploy", true]);
  });
});

describe("kubernetes stack failures", () => {
  const environments: EnvironmentSpec[] = [];

  afterAll(async () => {
    await Promise.all(environments.map((environment) => provider.teardown({ environmentName: environment.name })));
  });

  it("failed build stops with its reason", async () => {
    const environment = buildBranchEnvironment({ repository: "acme/broken", branch: "main" });
    environments.push(environment);
    buildBehaviour.api = { "paddock.test/exit-code": "1", "paddock.test/termination-message": 'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1' };
    environment.stack = {
      images: [buildTestImage("broken", "api")],
      services: [buildTestService("api", { builtImage: "api" })],
      build: { namespace: BUILD_NAMESPACE },
      deploySteps: false,
    };

    const error = await prepareRejection(environment);
    const deployments = await apps.listNamespacedDeployment({ namespace: environment.name });
    const [job, ...otherJobs] = await listBuildJobs(environment);

    expect(error.code).toBe("IMAGE_BUILD_FAILED");
    expect(otherJobs).toEqual([]);
    expect(error.message).toBe(
      `image api (${TEST_REGISTRY}/acme/broken/api:${"c".repeat(40)}): Job ${BUILD_NAMESPACE}/${job?.metadata?.name} failed ` +
        "(BackoffLimitExceeded: Job has reached the specified backoff limit): exited with code 1: " +
        'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1. ' +
        "Fix the Dockerfile or the images section of .github/paddock.yml, then push again",
    );
    expect(deployments.items).toEqual([]);
  });

  it("unready service fails with conditions and events", async () => {
    const environment = buildBranchEnvironment({ repository: "acme/stuck", branch: "main" });
    environments.push(environment);
    serviceBehaviour.queue = { "paddock.test/ready": "false" };
    const services = [buildTestService("queue", { image: "docker.io/library/redis:7" }, { port: 6379, ready: { tcp: 6379 }, timeoutSeconds: 4 })];
    environment.stack = { images: [], services, deploySteps: false };

    const prepared = await provider.prepare({ environment, source: buildTestSource(), signal: signal() });
    const started = await provider.startServices({ prepared, services, signal: signal() });
    const [queue] = started.services;

    expect([started.ready, queue?.status]).toEqual([false, "failed"]);
    expect(queue?.reason).toMatch(/^not ready within 4s: pod queue-[a-z0-9]+-[a-z0-9]{5}: phase Running, /);
    expect(queue?.reason).toContain("Ready=False (ContainersNotReady: containers with unready status: [service])");
    expect(queue?.reason).toMatch(/last events: .*Warning Unhealthy on Pod queue-[a-z0-9]+-[a-z0-9]{5}: Readiness probe failed: the pod is annotated paddock.test\/ready=false/);
    expect(started.previewUrl).toBeUndefined();
  });

  it("policy problems stop before the build", async () => {
    const environment = buildBranchEnvironment({ repository: "acme/nopolicy", branch: "main" });
    environments.push(environment);
    environment.stack = {
      images: [],
      services: [],
      deploySteps: false,
      problems: ["images need a registry to push to, but the org policy sets no build.registry: ask an org admin to set build.registry, or remove images"],
    };

    const error = await prepareRejection(environment);
    const jobs = await listBuildJobs(environment);

    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toBe(
      "images need a registry to push to, but the org policy sets no build.registry: ask an org admin to set build.registry, or remove images. Fix the org policy or .github/paddock.yml as each line says",
    );
    expect(jobs).toEqual([]);
  });
});
