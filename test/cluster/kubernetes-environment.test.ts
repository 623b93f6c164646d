import { ApiException, CoreV1Api, KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../src/errors.ts";
import { KubernetesApiError } from "../../src/providers/kubernetes/kubernetes-api-error.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { LIST_CALL_ENVIRONMENT } from "../../src/providers/kubernetes/list-environments.ts";
import { EGRESS_HOSTS_ANNOTATION, NETWORK_POLICY_NAME } from "../../src/providers/kubernetes/manifests/network-policy-manifest.ts";
import { LIMIT_RANGE_NAME, RESOURCE_QUOTA_NAME } from "../../src/providers/kubernetes/manifests/quota-manifests.ts";
import { STEP_ROLE_NAME, STEP_SERVICE_ACCOUNT_NAME } from "../../src/providers/kubernetes/manifests/step-rbac-manifests.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";

const controlPlane = useSharedControlPlane();
const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const networking = controlPlane.kubeConfig().makeApiClient(NetworkingV1Api);
const rbac = controlPlane.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane) });
const signal = new AbortController().signal;
const created: string[] = [];

const environment = buildBranchEnvironment({ repository: "acme/env", branch: "feature/objects", egress: ["203.0.113.7/24", "registry.npmjs.org", "2001:db8::/32"] });

async function prepare(spec = environment) {
  created.push(spec.name);
  return provider.prepare({ environment: spec, source: buildTestSource(), signal });
}

async function readAll(namespace: string): Promise<KubernetesObject[]> {
  return Promise.all([
    core.readNamespace({ name: namespace }),
    core.readNamespacedResourceQuota({ namespace, name: RESOURCE_QUOTA_NAME }),
    core.readNamespacedLimitRange({ namespace, name: LIMIT_RANGE_NAME }),
    networking.readNamespacedNetworkPolicy({ namespace, name: NETWORK_POLICY_NAME }),
    core.readNamespacedServiceAccount({ namespace, name: STEP_SERVICE_ACCOUNT_NAME }),
    rbac.readNamespacedRole({ namespace, name: STEP_ROLE_NAME }),
    rbac.readNamespacedRoleBinding({ namespace, name: STEP_ROLE_NAME }),
  ]);
}

async function rejectionOf(request: Promise<unknown>): Promise<unknown> {
  return request.then(() => undefined, (error: unknown) => error);
}

function restrictedPod(name: string, extra: Partial<V1Pod["spec"]> = {}): V1Pod {
  const securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } };
  return { metadata: { name }, spec: { containers: [{ name: "main", image: "registry.invalid/app:1", securityContext }], ...extra } };
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  await prepare();
});

afterAll(async () => {
  await Promise.all([...new Set(created)].map((name) => provider.teardownEnvironment({ environmentName: name })));
});

describe("kubernetes environment objects", () => {
  it("every object carries the labels and annotations", async () => {
    const objects = await readAll(environment.name);

    for (const object of objects) {
      expect(object.metadata?.labels).toMatchObject(environment.labels);
      expect(object.metadata?.annotations).toMatchObject(environment.annotations);
    }
    expect(objects.map((object) => object.metadata?.name)).toEqual([environment.name, "paddock-quota", "paddock-limits", "paddock-default-deny", "paddock-step", "paddock-step", "paddock-step"]);
  });

  it("namespace enforces restricted pod security", async () => {
    const namespace = await core.readNamespace({ name: environment.name });

    expect(namespace.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(namespace.metadata?.labels?.["pod-security.kubernetes.io/enforce-version"]).toBe("latest");
  });

  it("network policy opens only CIDRs and DNS", async () => {
    const policy = await networking.readNamespacedNetworkPolicy({ namespace: environment.name, name: NETWORK_POLICY_NAME });

    expect(policy.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec?.ingress ?? []).toEqual([]);
    expect(policy.spec?.egress?.[1]?.to?.map((peer) => peer.ipBlock?.cidr)).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    expect(policy.spec?.egress?.[0]?.ports?.map((port) => `${port.protocol}/${String(port.port)}`)).toEqual(["UDP/53", "TCP/53"]);
    expect(policy.metadata?.annotations?.[EGRESS_HOSTS_ANNOTATION]).toBe("registry.npmjs.org");
  });

  it("second apply writes once per object and changes nothing", async () => {
    const before = (await readAll(environment.name)).map((object) => object.metadata?.resourceVersion);
    provider.takeApiCalls(environment.name);

    const prepared = await prepare();

    expect(prepared.created).toBe(false);
    const after = (await readAll(environment.name)).map((object) => object.metadata?.resourceVersion);
    expect(after).toEqual(before);
    expect(provider.takeApiCalls(environment.name)).toEqual({ total: 8, writes: 7, reads: 1, byVerb: { get: 1, patch: 7 } });
  });

  it.each([
    { repository: "Acme.Corp/My_Repo.js", branch: "Feature/ÜBER--weird__name!!" },
    { repository: "acme/app", branch: "claude/fix-#123 (urgent) ✨" },
    { repository: "acme/a-very-long-repository-name-that-goes-on-and-on", branch: `agent/${"x".repeat(200)}` },
  ])("admits awkward name $branch", async ({ repository, branch }) => {
    const awkward = buildBranchEnvironment({ repository, branch });

    const prepared = await prepare(awkward);

    expect(prepared.created).toBe(true);
    const namespace = await core.readNamespace({ name: awkward.name });
    expect(namespace.metadata?.annotations?.["paddock.dev/branch"]).toBe(branch);
    expect(namespace.metadata?.annotations?.["paddock.dev/repository"]).toBe(repository);
  });
});

describe("kubernetes environment admission", () => {
  it("limit range admits a pod without resources", async () => {
    const pod = await core.createNamespacedPod({ namespace: environment.name, body: restrictedPod("bare") });

    expect(pod.spec?.containers[0]?.resources?.requests).toEqual({ cpu: "500m", memory: "512Mi", "ephemeral-storage": "4Gi" });
  });

  it("quota rejects a pod beyond it", async () => {
    const error = await rejectionOf(core.createNamespacedPod({ namespace: environment.name, body: restrictedPod("second") }));

    expect(error).toBeInstanceOf(ApiException);
    const status = JSON.parse((error as ApiException<string>).body) as { code: number; message: string };
    expect(status.code).toBe(403);
    expect(status.message).toContain("exceeded quota: paddock-quota");
  });

  it("pod security rejects a privileged pod", async () => {
    const pod = restrictedPod("privileged");
    pod.spec!.containers[0]!.securityContext = { privileged: true };

    const error = await rejectionOf(core.createNamespacedPod({ namespace: environment.name, body: pod }));

    const status = JSON.parse((error as ApiException<string>).body) as { code: number; message: string };
    expect(status.code).toBe(403);
    expect(status.message).toContain('violates PodSecurity "restricted:latest": privileged');
  });

  afterAll(async () => {
    await core.deleteNamespacedPod({ namespace: environment.name, name: "bare", gracePeriodSeconds: 0 });
  });
});

describe("kubernetes environment conflicts and errors", () => {
  it("does not adopt another environment's namespace", async () => {
    const other = buildBranchEnvironment({ repository: "acme/env", branch: "taken" });
    await core.createNamespace({ body: { metadata: { name: other.name, labels: { "paddock.dev/key": "0123456789" } } } });

    const error = await rejectionOf(provider.prepare({ environment: other, source: buildTestSource(), signal }));
    await core.deleteNamespace({ name: other.name });

    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe("ENVIRONMENT_CONFLICT");
    expect((error as PaddockError).message).toContain(`namespace ${other.name} already exists and belongs to the environment with key 0123456789`);
  });

  it("names the missing permission on 403", async () => {
    const nobody = createKubernetesProvider({ kubeConfig: impersonate(controlPlane, "system:serviceaccount:default:nobody") });

    const error = await rejectionOf(nobody.prepare({ environment, source: buildTestSource(), signal }));

    expect(error).toBeInstanceOf(KubernetesApiError);
    expect((error as KubernetesApiError).code).toBe("KUBERNETES_FORBIDDEN");
    expect((error as KubernetesApiError).permission).toEqual({
      user: "system:serviceaccount:default:nobody",
      verb: "get",
      resource: "namespaces",
      group: "",
      namespace: environment.name,
    });
  });

  it("names the invalid field on 422", async () => {
    const valid = buildBranchEnvironment({ repository: "acme/env", branch: "invalid-label" });
    const invalid = { ...valid, labels: { ...valid.labels, "paddock.dev/too-long": "x".repeat(64) } };

    const error = await rejectionOf(prepare(invalid));

    expect(error).toBeInstanceOf(KubernetesApiError);
    expect((error as KubernetesApiError).code).toBe("KUBERNETES_INVALID");
    expect((error as KubernetesApiError).causes.map((cause) => cause.field)).toEqual(["metadata.labels"]);
  });

  it("reloads credentials once after 401", async () => {
    const expired = new KubeConfig();
    const admin = controlPlane.kubeConfig("admin");
    expired.loadFromOptions({ clusters: admin.clusters, contexts: admin.contexts, currentContext: admin.currentContext, users: admin.users.map((user) => ({ ...user, token: "expired" })) });
    let loads = 0;
    const reloading = createKubernetesProvider({ kubeConfig: expired, loadKubeConfig: () => ((loads += 1), impersonate(controlPlane)) });

    const environments = await reloading.listEnvironments();

    expect(environments.map((record) => record.name)).toContain(environment.name);
    expect(loads).toBe(1);
    expect(reloading.takeApiCalls(LIST_CALL_ENVIRONMENT)).toEqual({ total: 2, writes: 0, reads: 2, byVerb: { list: 2 } });
  });
});

describe("kubernetes environment listing", () => {
  it("lists environments with one call", async () => {
    provider.takeApiCalls(LIST_CALL_ENVIRONMENT);

    const environments = await provider.listEnvironments();

    const record = environments.find((candidate) => candidate.name === environment.name);
    expect(record?.labels).toMatchObject(environment.labels);
    expect(record?.annotations).toMatchObject(environment.annotations);
    expect(record?.phase).toBe("Active");
    expect(provider.takeApiCalls(LIST_CALL_ENVIRONMENT)).toEqual({ total: 1, writes: 0, reads: 1, byVerb: { list: 1 } });
  });
});
