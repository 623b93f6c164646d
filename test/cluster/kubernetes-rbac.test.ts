import { ApiException, AuthorizationV1Api, CoreV1Api, type V1ResourceAttributes } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { STEP_SERVICE_ACCOUNT_NAME } from "../../src/providers/kubernetes/manifests/step-rbac-manifests.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment, PADDOCK_USER } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";

const controlPlane = useSharedControlPlane();
const authorization = controlPlane.kubeConfig().makeApiClient(AuthorizationV1Api);
const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane) });
const environment = buildBranchEnvironment({ repository: "acme/rbac", branch: "main" });

async function isAllowed(user: string, groups: string[], attributes: V1ResourceAttributes): Promise<boolean> {
  const review = await authorization.createSubjectAccessReview({ body: { spec: { user, groups, resourceAttributes: attributes } } });
  return review.status?.allowed ?? false;
}

const paddockGroups = ["system:serviceaccounts", "system:serviceaccounts:paddock-system", "system:authenticated"];
const paddockMay = (attributes: V1ResourceAttributes): Promise<boolean> => isAllowed(PADDOCK_USER, paddockGroups, attributes);

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  await provider.prepare({ environment, source: buildTestSource(), signal: new AbortController().signal });
});

afterAll(async () => {
  await provider.teardown({ environmentName: environment.name });
});

describe("deploy ClusterRole", () => {
  it.each([
    { verb: "get", resource: "secrets", namespace: "kube-system" },
    { verb: "list", resource: "secrets" },
    { verb: "watch", resource: "secrets" },
    { verb: "create", resource: "clusterrolebindings", group: "rbac.authorization.k8s.io" },
    { verb: "create", resource: "clusterroles", group: "rbac.authorization.k8s.io" },
    { verb: "escalate", resource: "roles", group: "rbac.authorization.k8s.io", namespace: "default" },
    { verb: "bind", resource: "roles", group: "rbac.authorization.k8s.io", namespace: "default" },
    { verb: "create", resource: "pods", namespace: "default" },
    { verb: "create", resource: "pods/exec", namespace: "default" },
    { verb: "impersonate", resource: "users" },
    { verb: "update", resource: "namespaces" },
  ])("denies $verb $resource", async ({ verb, resource, group, namespace }) => {
    expect(await paddockMay({ verb, resource, group: group ?? "", ...(namespace ? { namespace } : {}) })).toBe(false);
  });

  it.each([
    { verb: "patch", resource: "namespaces" },
    { verb: "create", resource: "jobs", group: "batch", namespace: "default" },
    { verb: "get", resource: "pods", subresource: "log", namespace: "default" },
  ])("allows $verb $resource", async ({ verb, resource, group, namespace, subresource }) => {
    const attributes: V1ResourceAttributes = { verb, resource, group: group ?? "", ...(namespace ? { namespace } : {}), ...(subresource ? { subresource } : {}) };
    expect(await paddockMay(attributes)).toBe(true);
  });
});

describe("deploy admission policy", () => {
  const paddockCore = impersonate(controlPlane).makeApiClient(CoreV1Api);
  const adminCore = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
  const unmanagedNamespace = `unmanaged-${environment.name.slice(-10)}`;

  beforeAll(async () => {
    await adminCore.createNamespace({ body: { metadata: { name: unmanagedNamespace } } });
  });

  afterAll(async () => {
    await adminCore.deleteNamespace({ name: unmanagedNamespace });
  });

  async function statusOf(request: Promise<unknown>): Promise<{ code: number; message: string }> {
    const error = await request.then(() => undefined, (rejection: unknown) => rejection);
    if (!(error instanceof ApiException)) throw new Error(`expected an ApiException, got ${String(error)}`);
    const status = JSON.parse(error.body as string) as { code: number; message: string };
    return { code: status.code, message: status.message };
  }

  it("rejects a secret in an unmanaged namespace", async () => {
    const status = await statusOf(paddockCore.createNamespacedSecret({ namespace: "default", body: { metadata: { name: "planted" }, stringData: { a: "b" } } }));

    expect(status.code).toBe(403);
    expect(status.message).toContain("Paddock may only change objects in namespaces labelled app.kubernetes.io/managed-by=paddock");
  });

  it("rejects deleting an unmanaged namespace", async () => {
    const status = await statusOf(paddockCore.deleteNamespace({ name: unmanagedNamespace }));

    expect(status.code).toBe(403);
    expect(status.message).toContain("Paddock may only change namespaces labelled app.kubernetes.io/managed-by=paddock");
  });

  it("allows a secret in a managed namespace", async () => {
    const secret = await paddockCore.createNamespacedSecret({ namespace: environment.name, body: { metadata: { name: "allowed" }, stringData: { a: "b" } } });

    expect(secret.metadata?.namespace).toBe(environment.name);
  });
});

describe("step ServiceAccount", () => {
  const stepUser = (): string => `system:serviceaccount:${environment.name}:${STEP_SERVICE_ACCOUNT_NAME}`;
  const stepGroups = (): string[] => ["system:serviceaccounts", `system:serviceaccounts:${environment.name}`, "system:authenticated"];

  it.each([
    { verb: "get", resource: "secrets", namespace: "kube-system" },
    { verb: "list", resource: "secrets", namespace: "default" },
    { verb: "list", resource: "pods", namespace: "default" },
    { verb: "get", resource: "pods", namespace: "kube-system" },
  ])("cannot $verb $resource in $namespace", async ({ verb, resource, namespace }) => {
    expect(await isAllowed(stepUser(), stepGroups(), { verb, resource, namespace })).toBe(false);
  });

  it("cannot read secrets in its own namespace", async () => {
    expect(await isAllowed(stepUser(), stepGroups(), { verb: "get", resource: "secrets", namespace: environment.name })).toBe(false);
  });
});
