import { ApiException, AppsV1Api, PatchStrategy, setHeaderOptions, AuthorizationV1Api, BatchV1Api, CoreV1Api, RbacAuthorizationV1Api, type V1ResourceAttributes } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { DEPLOY_SERVICE_ACCOUNT_NAME } from "../../src/providers/kubernetes/manifests/deploy-rbac-manifests.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment, PADDOCK_USER } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { BUILD_NAMESPACE, buildEmptyStack } from "./stack-fixtures.ts";

const controlPlane = useSharedControlPlane();
const authorization = controlPlane.kubeConfig().makeApiClient(AuthorizationV1Api);
const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane) });
const environment = { ...buildBranchEnvironment({ repository: "acme/deployer", branch: "main" }), stack: buildEmptyStack({ deploySteps: true }) };
const neighbour = buildBranchEnvironment({ repository: "acme/neighbour", branch: "main" });
const namespace = environment.name;
const deployUser = `system:serviceaccount:${namespace}:${DEPLOY_SERVICE_ACCOUNT_NAME}`;
const deployGroups = ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"];
const paddockGroups = ["system:serviceaccounts", "system:serviceaccounts:paddock-system", "system:authenticated"];

async function isAllowed(user: string, groups: string[], attributes: V1ResourceAttributes): Promise<boolean> {
  const review = await authorization.createSubjectAccessReview({ body: { spec: { user, groups, resourceAttributes: attributes } } });
  return review.status?.allowed ?? false;
}

async function statusOf(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await request.then(() => undefined, (rejection: unknown) => rejection);
  if (!(error instanceof ApiException)) throw new Error(`expected an ApiException, got ${String(error)}`);
  const status = JSON.parse(error.body as string) as { code: number; message: string };
  return { code: status.code, message: status.message };
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  await provider.prepare({ environment, source: buildTestSource(), signal: new AbortController().signal });
  await provider.prepare({ environment: neighbour, source: buildTestSource(), signal: new AbortController().signal });
});

afterAll(async () => {
  await Promise.all([provider.teardown({ environmentName: environment.name }), provider.teardown({ environmentName: neighbour.name })]);
});

describe("deploy ServiceAccount", () => {
  it.each([
    { verb: "create", resource: "deployments", group: "apps" },
    { verb: "patch", resource: "statefulsets", group: "apps" },
    { verb: "create", resource: "services" },
    { verb: "update", resource: "configmaps" },
    { verb: "delete", resource: "pods" },
    { verb: "create", resource: "jobs", group: "batch" },
    { verb: "create", resource: "ingresses", group: "networking.k8s.io" },
    { verb: "create", resource: "secrets" },
    { verb: "patch", resource: "secrets" },
  ])("may $verb $resource in its namespace", async ({ verb, resource, group }) => {
    expect(await isAllowed(deployUser, deployGroups, { verb, resource, group: group ?? "", namespace })).toBe(true);
  });

  it.each([
    { verb: "create", resource: "rolebindings", group: "rbac.authorization.k8s.io" },
    { verb: "create", resource: "roles", group: "rbac.authorization.k8s.io" },
    { verb: "bind", resource: "clusterroles", group: "rbac.authorization.k8s.io" },
    { verb: "escalate", resource: "roles", group: "rbac.authorization.k8s.io" },
    { verb: "create", resource: "networkpolicies", group: "networking.k8s.io" },
    { verb: "patch", resource: "resourcequotas" },
    { verb: "delete", resource: "limitranges" },
    { verb: "create", resource: "pods", subresource: "exec" },
    { verb: "get", resource: "secrets" },
    { verb: "list", resource: "secrets" },
    { verb: "watch", resource: "secrets" },
  ])("cannot $verb $resource in its namespace", async ({ verb, resource, group, subresource }) => {
    const attributes: V1ResourceAttributes = { verb, resource, group: group ?? "", namespace, ...(subresource ? { subresource } : {}) };
    expect(await isAllowed(deployUser, deployGroups, attributes)).toBe(false);
  });

  it.each([
    { verb: "create", resource: "deployments", group: "apps", namespace: "default", scope: "namespace default" },
    { verb: "list", resource: "pods", namespace: "kube-system", scope: "namespace kube-system" },
    { verb: "get", resource: "secrets", namespace: "paddock-builds", scope: "the build namespace" },
    { verb: "list", resource: "pods", scope: "the cluster" },
    { verb: "list", resource: "namespaces", scope: "the cluster" },
    { verb: "get", resource: "nodes", scope: "the cluster" },
    { verb: "list", resource: "clusterroles", group: "rbac.authorization.k8s.io", scope: "the cluster" },
    { verb: "impersonate", resource: "users", scope: "the cluster" },
  ])("cannot $verb $resource in $scope", async ({ verb, resource, group, namespace: where }) => {
    expect(await isAllowed(deployUser, deployGroups, { verb, resource, group: group ?? "", ...(where ? { namespace: where } : {}) })).toBe(false);
  });

  it("cannot touch a neighbouring environment", async () => {
    expect(await isAllowed(deployUser, deployGroups, { verb: "create", resource: "deployments", group: "apps", namespace: neighbour.name })).toBe(false);
  });

  it("impersonated, deploys only in its namespace", async () => {
    const deployApps = impersonate(controlPlane, deployUser).makeApiClient(AppsV1Api);
    const deployment = { metadata: { name: "shop" }, spec: { selector: { matchLabels: { app: "shop" } }, template: { metadata: { labels: { app: "shop" } }, spec: { containers: [{ name: "shop", image: "registry.invalid/shop:1" }] } } } };

    const own = await deployApps.createNamespacedDeployment({ namespace, body: deployment, dryRun: "All" });
    const other = await statusOf(deployApps.createNamespacedDeployment({ namespace: neighbour.name, body: deployment, dryRun: "All" }));

    expect(own.metadata?.namespace).toBe(namespace);
    expect(other.code).toBe(403);
    expect(other.message).toContain(`cannot create resource "deployments" in API group "apps" in the namespace "${neighbour.name}"`);
  });

  it("impersonated, cannot bind cluster-admin", async () => {
    const deployRbac = impersonate(controlPlane, deployUser).makeApiClient(RbacAuthorizationV1Api);
    const binding = {
      metadata: { name: "grab" },
      subjects: [{ kind: "ServiceAccount", name: DEPLOY_SERVICE_ACCOUNT_NAME, namespace }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    };

    const status = await statusOf(deployRbac.createNamespacedRoleBinding({ namespace, body: binding }));

    expect(status.code).toBe(403);
    expect(status.message).toContain(`cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "${namespace}"`);
  });
});

describe("paddock bind permission", () => {
  it("may bind paddock-deploy", async () => {
    expect(await isAllowed(PADDOCK_USER, paddockGroups, { verb: "bind", resource: "clusterroles", group: "rbac.authorization.k8s.io", name: "paddock-deploy" })).toBe(true);
  });

  it.each(["cluster-admin", "admin", "edit"])("cannot bind %s", async (name) => {
    expect(await isAllowed(PADDOCK_USER, paddockGroups, { verb: "bind", resource: "clusterroles", group: "rbac.authorization.k8s.io", name })).toBe(false);
  });

  it("impersonated, cannot grant admin in an environment", async () => {
    const paddockRbac = impersonate(controlPlane).makeApiClient(RbacAuthorizationV1Api);
    const binding = {
      metadata: { name: "widen" },
      subjects: [{ kind: "ServiceAccount", name: DEPLOY_SERVICE_ACCOUNT_NAME, namespace }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
    };

    const status = await statusOf(paddockRbac.createNamespacedRoleBinding({ namespace, body: binding }));

    expect(status.code).toBe(403);
    expect(status.message).toContain("is attempting to grant RBAC permissions not currently held");
  });
});

describe("build namespace admission", () => {
  const paddockCore = impersonate(controlPlane).makeApiClient(CoreV1Api);
  const paddockBatch = impersonate(controlPlane).makeApiClient(BatchV1Api);
  const securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } };
  const job = (name: string, privileged: boolean) => ({
    metadata: { name },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "build", image: "registry.invalid/buildkit:1", securityContext: privileged ? { privileged: true } : securityContext }] } } },
  });

  it("rejects a push secret written by paddock", async () => {
    const status = await statusOf(paddockCore.createNamespacedSecret({ namespace: BUILD_NAMESPACE, dryRun: "All", body: { metadata: { name: "paddock-registry-push-4242" }, stringData: { a: "b" } } }));

    expect(status.code).toBe(403);
    expect(status.message).toContain("Jobs and Secrets named build-* in the build namespace");
  });

  it("allows a build secret", async () => {
    const secret = await paddockCore.createNamespacedSecret({ namespace: BUILD_NAMESPACE, dryRun: "All", body: { metadata: { name: "build-web-ccccccc-abcdef" }, stringData: { token: "t" } } });

    expect(secret.metadata?.name).toBe("build-web-ccccccc-abcdef");
  });

  it("rejects a privileged build job", async () => {
    const status = await statusOf(paddockBatch.createNamespacedJob({ namespace: BUILD_NAMESPACE, dryRun: "All", body: job("build-evil-ccccccc-abcdef", true) }));

    expect(status.code).toBe(403);
    expect(status.message).toContain("Paddock Jobs may not run privileged containers, share host namespaces or mount host paths");
  });

  it("rejects a job not named build-*", async () => {
    const status = await statusOf(paddockBatch.createNamespacedJob({ namespace: BUILD_NAMESPACE, dryRun: "All", body: job("miner", false) }));

    expect(status.code).toBe(403);
  });
});

describe("environment namespace admission", () => {
  const APPLY = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
  const paddockCore = impersonate(controlPlane).makeApiClient(CoreV1Api);
  const managedNamespace = (name: string, level: string) => ({
    metadata: { name, labels: { "app.kubernetes.io/managed-by": "paddock", "pod-security.kubernetes.io/enforce": level } },
  });

  it("rejects a privileged namespace", async () => {
    const status = await statusOf(paddockCore.createNamespace({ dryRun: "All", body: managedNamespace("paddock-privileged-try", "privileged") }));

    expect(status.code).toBe(403);
    expect(status.message).toContain("Paddock namespaces must enforce the restricted Pod Security level: label pod-security.kubernetes.io/enforce=restricted");
  });

  it("rejects loosening a live namespace", async () => {
    const body = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "paddock", "pod-security.kubernetes.io/enforce": "baseline" } } };
    const status = await statusOf(paddockCore.patchNamespace({ name: namespace, body, dryRun: "All", fieldManager: "paddock", force: true }, APPLY));

    expect(status.code).toBe(403);
    expect(status.message).toContain("restricted Pod Security level");
  });

  it("allows a restricted namespace", async () => {
    const created = await paddockCore.createNamespace({ dryRun: "All", body: managedNamespace("paddock-restricted-try", "restricted") });

    expect(created.metadata?.name).toBe("paddock-restricted-try");
  });
});
