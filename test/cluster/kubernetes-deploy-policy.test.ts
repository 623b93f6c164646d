import { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, NetworkingV1Api, type V1PodSpec } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { DEPLOY_SERVICE_ACCOUNT_NAME } from "../../src/providers/kubernetes/manifests/deploy-rbac-manifests.ts";
import { PREVIEW_HOST_ANNOTATION } from "../../src/providers/kubernetes/manifests/namespace-manifest.ts";
import { nameSourceSecret } from "../../src/providers/kubernetes/manifests/source-secret-manifest.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { buildEmptyStack } from "./stack-fixtures.ts";
import { waitUntil } from "./wait-until.ts";

const controlPlane = useSharedControlPlane();
const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane) });
const PREVIEW_HOST = "deploy-policy.preview.paddock.invalid";
const exposed = {
  ...buildBranchEnvironment({ repository: "acme/previewed", branch: "main" }),
  stack: buildEmptyStack({ deploySteps: true, expose: { service: "web", port: 8080, host: PREVIEW_HOST } }),
};
const unexposed = { ...buildBranchEnvironment({ repository: "acme/unexposed", branch: "main" }), stack: buildEmptyStack({ deploySteps: true }) };
const namespace = exposed.name;
const sourceSecret = nameSourceSecret("e2e-ccccccc-abc123");
const POLICY = "ValidatingAdmissionPolicy 'paddock-deploy-steps' with binding 'paddock-deploy-steps' denied request";

/** Returns API clients that act as the deploy ServiceAccount of a namespace. */
function deployClients(where: string) {
  const config = impersonate(controlPlane, `system:serviceaccount:${where}:${DEPLOY_SERVICE_ACCOUNT_NAME}`);
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api), batch: config.makeApiClient(BatchV1Api), networking: config.makeApiClient(NetworkingV1Api) };
}

async function statusOf(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await request.then(() => undefined, (rejection: unknown) => rejection);
  if (!(error instanceof ApiException)) throw new Error(`expected an ApiException, got ${String(error)}`);
  const status = JSON.parse(error.body as string) as { code: number; message: string };
  return { code: status.code, message: status.message };
}

/** Container settings the restricted Pod Security level of environment namespaces requires. */
const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

/** Returns a pod spec that passes the restricted Pod Security level, so only the deploy policy can deny it. */
function podSpec(extra: Partial<V1PodSpec>): V1PodSpec {
  const containers = (extra.containers ?? [{ name: "probe", image: "registry.invalid/probe:1" }]).map((container) => ({ ...container, securityContext: RESTRICTED }));
  const initContainers = extra.initContainers?.map((container) => ({ ...container, securityContext: RESTRICTED }));
  return { ...extra, securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } }, containers, ...(initContainers ? { initContainers } : {}) };
}

function ingress(host: string | undefined) {
  const backend = { service: { name: "web", port: { number: 8080 } } };
  return { metadata: { name: "shop" }, spec: { rules: [{ ...(host === undefined ? {} : { host }), http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }] } };
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  await provider.prepare({ environment: exposed, source: buildTestSource(), signal: new AbortController().signal });
  await provider.prepare({ environment: unexposed, source: buildTestSource(), signal: new AbortController().signal });
  // A step's source Secret as Paddock writes it.
  const paddockCore = impersonate(controlPlane).makeApiClient(CoreV1Api);
  await paddockCore.createNamespacedSecret({ namespace, body: { metadata: { name: sourceSecret }, type: "Opaque", stringData: { token: "ghs_planted" } } });
  // A new admission policy takes effect a moment after it is applied.
  const { core } = deployClients(namespace);
  await waitUntil(
    async () => {
      const denied = await core.deleteNamespacedSecret({ namespace, name: sourceSecret, dryRun: "All" }).then(() => undefined, (error: unknown) => (error instanceof ApiException && error.code === 403) || undefined);
      return denied;
    },
    { description: "the deploy step policy to reject deleting a source secret" },
  );
});

afterAll(async () => {
  await Promise.all([provider.teardown({ environmentName: exposed.name }), provider.teardown({ environmentName: unexposed.name })]);
});

describe("deploy step source secrets", () => {
  const { core, apps, batch } = deployClients(namespace);
  const user = `system:serviceaccount:${namespace}:${DEPLOY_SERVICE_ACCOUNT_NAME}`;

  it("cannot read a source secret", async () => {
    const status = await statusOf(core.readNamespacedSecret({ namespace, name: sourceSecret }));

    expect(status).toEqual({ code: 403, message: `secrets "${sourceSecret}" is forbidden: User "${user}" cannot get resource "secrets" in API group "" in the namespace "${namespace}"` });
  });

  it("cannot list secrets", async () => {
    const status = await statusOf(core.listNamespacedSecret({ namespace }));

    expect(status).toEqual({ code: 403, message: `secrets is forbidden: User "${user}" cannot list resource "secrets" in API group "" in the namespace "${namespace}"` });
  });

  it("cannot patch a source secret", async () => {
    const status = await statusOf(core.patchNamespacedSecret({ namespace, name: sourceSecret, body: [{ op: "add", path: "/metadata/labels", value: { seen: "yes" } }] }));

    expect(status).toEqual({ code: 403, message: `secrets "${sourceSecret}" is forbidden: ${POLICY}: deploy steps may not update the step source Secret ${sourceSecret}: Secrets named paddock-source-* belong to Paddock` });
  });

  it("cannot delete a source secret", async () => {
    const status = await statusOf(core.deleteNamespacedSecret({ namespace, name: sourceSecret }));

    expect(status).toEqual({ code: 403, message: `secrets "${sourceSecret}" is forbidden: ${POLICY}: deploy steps may not delete the step source Secret ${sourceSecret}: Secrets named paddock-source-* belong to Paddock` });
  });

  it("may write its own secret", async () => {
    const created = await core.createNamespacedSecret({ namespace, dryRun: "All", body: { metadata: { name: "shop-db" }, stringData: { password: "example" } } });

    expect(created.metadata?.name).toBe("shop-db");
  });

  it.each([
    ["a secret volume", podSpec({ volumes: [{ name: "token", secret: { secretName: sourceSecret } }] })],
    ["a projected volume", podSpec({ volumes: [{ name: "token", projected: { sources: [{ secret: { name: sourceSecret } }] } }] })],
    ["an env variable", podSpec({ containers: [{ name: "probe", image: "registry.invalid/probe:1", env: [{ name: "T", valueFrom: { secretKeyRef: { name: sourceSecret, key: "token" } } }] }] })],
    ["envFrom", podSpec({ initContainers: [{ name: "fetch", image: "registry.invalid/probe:1", envFrom: [{ secretRef: { name: sourceSecret } }] }] })],
    ["an image pull secret", podSpec({ imagePullSecrets: [{ name: sourceSecret }] })],
  ])("cannot mount a source secret through %s", async (_how, spec) => {
    const status = await statusOf(core.createNamespacedPod({ namespace, dryRun: "All", body: { metadata: { name: "probe" }, spec } }));

    expect(status).toEqual({ code: 403, message: `pods "probe" is forbidden: ${POLICY}: deploy steps may not run pods that reference a step source Secret: Secrets named paddock-source-* belong to Paddock` });
  });

  it("cannot mount a source secret in a Deployment", async () => {
    const spec = podSpec({ volumes: [{ name: "token", secret: { secretName: sourceSecret } }] });
    const deployment = { metadata: { name: "thief" }, spec: { selector: { matchLabels: { app: "thief" } }, template: { metadata: { labels: { app: "thief" } }, spec } } };

    const status = await statusOf(apps.createNamespacedDeployment({ namespace, dryRun: "All", body: deployment }));

    expect(status).toEqual({ code: 403, message: `deployments.apps "thief" is forbidden: ${POLICY}: deploy steps may not run pods that reference a step source Secret: Secrets named paddock-source-* belong to Paddock` });
  });

  it("cannot mount a source secret in a CronJob", async () => {
    const spec = podSpec({ restartPolicy: "Never", volumes: [{ name: "token", secret: { secretName: sourceSecret } }] });
    const cronJob = { metadata: { name: "thief" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec } } } } };

    const status = await statusOf(batch.createNamespacedCronJob({ namespace, dryRun: "All", body: cronJob }));

    expect(status).toEqual({ code: 403, message: `cronjobs.batch "thief" is forbidden: ${POLICY}: deploy steps may not run pods that reference a step source Secret: Secrets named paddock-source-* belong to Paddock` });
  });

  it("may run a pod with its own secret", async () => {
    const spec = podSpec({ volumes: [{ name: "db", secret: { secretName: "shop-db" } }] });

    const pod = await core.createNamespacedPod({ namespace, dryRun: "All", body: { metadata: { name: "shop" }, spec } });

    expect(pod.metadata?.name).toBe("shop");
  });
});

describe("deploy step ingresses", () => {
  it("may route the preview host", async () => {
    const created = await deployClients(namespace).networking.createNamespacedIngress({ namespace, dryRun: "All", body: ingress(PREVIEW_HOST) });

    expect(created.spec?.rules?.[0]?.host).toBe(PREVIEW_HOST);
  });

  it("cannot route another host", async () => {
    const status = await statusOf(deployClients(namespace).networking.createNamespacedIngress({ namespace, dryRun: "All", body: ingress("login.example.com") }));

    expect(status).toEqual({
      code: 403,
      message: `ingresses.networking.k8s.io "shop" is forbidden: ${POLICY}: deploy steps may only route the preview host ${PREVIEW_HOST} with an Ingress, and every rule must name it`,
    });
  });

  it("cannot route every host", async () => {
    const status = await statusOf(deployClients(namespace).networking.createNamespacedIngress({ namespace, dryRun: "All", body: ingress(undefined) }));

    expect(status.code).toBe(403);
    expect(status.message).toContain(`deploy steps may only route the preview host ${PREVIEW_HOST}`);
  });

  it("cannot route without a preview", async () => {
    const where = unexposed.name;
    const status = await statusOf(deployClients(where).networking.createNamespacedIngress({ namespace: where, dryRun: "All", body: ingress(PREVIEW_HOST) }));

    expect(status).toEqual({
      code: 403,
      message: `ingresses.networking.k8s.io "shop" is forbidden: ${POLICY}: deploy steps may not create Ingresses in ${where}, because the environment has no preview host: set expose in .github/paddock.yml and preview.host in the org policy`,
    });
  });

  it("annotates the namespace with the preview host", async () => {
    const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);

    const [withPreview, withoutPreview] = await Promise.all([core.readNamespace({ name: namespace }), core.readNamespace({ name: unexposed.name })]);

    expect(withPreview.metadata?.annotations?.[PREVIEW_HOST_ANNOTATION]).toBe(PREVIEW_HOST);
    expect(withoutPreview.metadata?.annotations?.[PREVIEW_HOST_ANNOTATION]).toBeUndefined();
  });
});
