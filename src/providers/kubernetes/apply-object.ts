import { PatchStrategy, setHeaderOptions, type KubernetesObject } from "@kubernetes/client-node";

import { PaddockError } from "../../errors.ts";
import type { KubeClient, KubernetesApis } from "./kube-client.ts";
import type { ApiCallTarget } from "./kubernetes-api-error.ts";

/** Field manager of every server-side apply request Paddock sends. */
export const FIELD_MANAGER = "paddock";

type ApplyRequest = { name: string; namespace: string; body: KubernetesObject };
type Applier = {
  resource: string;
  group: string;
  send: (apis: KubernetesApis, request: ApplyRequest) => Promise<KubernetesObject>;
};

// Apply requests take their Content-Type from a middleware; the body is sent as written.
const APPLY = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
const OPTIONS = { fieldManager: FIELD_MANAGER, force: true };

const APPLIERS: Record<string, Applier> = {
  Namespace: { resource: "namespaces", group: "", send: (apis, r) => apis.core.patchNamespace({ name: r.name, body: r.body, ...OPTIONS }, APPLY) },
  ResourceQuota: {
    resource: "resourcequotas",
    group: "",
    send: (apis, r) => apis.core.patchNamespacedResourceQuota({ ...r, ...OPTIONS }, APPLY),
  },
  LimitRange: { resource: "limitranges", group: "", send: (apis, r) => apis.core.patchNamespacedLimitRange({ ...r, ...OPTIONS }, APPLY) },
  ServiceAccount: {
    resource: "serviceaccounts",
    group: "",
    send: (apis, r) => apis.core.patchNamespacedServiceAccount({ ...r, ...OPTIONS }, APPLY),
  },
  NetworkPolicy: {
    resource: "networkpolicies",
    group: "networking.k8s.io",
    send: (apis, r) => apis.networking.patchNamespacedNetworkPolicy({ ...r, ...OPTIONS }, APPLY),
  },
  Deployment: {
    resource: "deployments",
    group: "apps",
    send: (apis, r) => apis.apps.patchNamespacedDeployment({ ...r, ...OPTIONS }, APPLY),
  },
  Service: { resource: "services", group: "", send: (apis, r) => apis.core.patchNamespacedService({ ...r, ...OPTIONS }, APPLY) },
  Ingress: {
    resource: "ingresses",
    group: "networking.k8s.io",
    send: (apis, r) => apis.networking.patchNamespacedIngress({ ...r, ...OPTIONS }, APPLY),
  },
  Role: { resource: "roles", group: "rbac.authorization.k8s.io", send: (apis, r) => apis.rbac.patchNamespacedRole({ ...r, ...OPTIONS }, APPLY) },
  RoleBinding: {
    resource: "rolebindings",
    group: "rbac.authorization.k8s.io",
    send: (apis, r) => apis.rbac.patchNamespacedRoleBinding({ ...r, ...OPTIONS }, APPLY),
  },
};

/** Returns the API request that applying `object` sends, in RBAC terms. */
export function describeApply(object: KubernetesObject): ApiCallTarget {
  const applier = findApplier(object);
  const target: ApiCallTarget = { verb: "patch", resource: applier.resource, group: applier.group, name: object.metadata?.name ?? "" };
  if (object.metadata?.namespace !== undefined) target.namespace = object.metadata.namespace;
  return target;
}

/**
 * Applies one object with server-side apply as field manager `paddock`, forcing ownership of
 * conflicting fields. Resolves with the object the server stored, status included.
 */
export async function applyObject(options: { client: KubeClient; environment: string; object: KubernetesObject; signal?: AbortSignal }): Promise<KubernetesObject> {
  const { client, environment, object } = options;
  const applier = findApplier(object);
  const target = describeApply(object);
  const request: ApplyRequest = { name: target.name ?? "", namespace: target.namespace ?? "", body: object };
  const call = options.signal === undefined ? { environment, target } : { environment, target, signal: options.signal };
  return client.call(call, (apis) => applier.send(apis, request));
}

function findApplier(object: KubernetesObject): Applier {
  const applier = object.kind === undefined ? undefined : APPLIERS[object.kind];
  if (applier === undefined) {
    throw new PaddockError("USAGE", `cannot apply an object of kind ${object.kind ?? "(none)"}`, { hint: `Use one of ${Object.keys(APPLIERS).join(", ")}` });
  }
  return applier;
}
