import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { parseMissingPermission, toKubernetesApiError } from "../../../src/providers/kubernetes/kubernetes-api-error.ts";

const patchQuota = { verb: "patch" as const, resource: "resourcequotas", group: "", namespace: "env-a", name: "paddock-quota" };

function apiException(code: number, status: object): ApiException<string> {
  return new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify(status), {});
}

describe("toKubernetesApiError", () => {
  it("names the missing permission on 403", () => {
    const message = 'resourcequotas "paddock-quota" is forbidden: User "system:serviceaccount:paddock-system:paddock" cannot patch resource "resourcequotas" in API group "" in the namespace "env-a"';

    const error = toKubernetesApiError(apiException(403, { code: 403, reason: "Forbidden", message }), patchQuota);

    expect(error.code).toBe("KUBERNETES_FORBIDDEN");
    expect(error.permission).toEqual({ user: "system:serviceaccount:paddock-system:paddock", verb: "patch", resource: "resourcequotas", group: "", namespace: "env-a" });
    expect(error.message).toBe(
      "Kubernetes request patch resourcequotas/paddock-quota in namespace env-a failed with 403 Forbidden: system:serviceaccount:paddock-system:paddock may not patch resourcequotas in the core API group in namespace env-a. Grant verb patch on resourcequotas to Paddock's ClusterRole (deploy/20-cluster-role.yaml)",
    );
  });

  it("names the fields on 422", () => {
    const status = { code: 422, reason: "Invalid", details: { kind: "ResourceQuota", name: "paddock-quota", causes: [{ reason: "FieldValueInvalid", message: "Invalid value: \"x\"", field: "spec.hard[pods]" }] } };

    const error = toKubernetesApiError(apiException(422, status), patchQuota);

    expect(error.code).toBe("KUBERNETES_INVALID");
    expect(error.message).toBe(
      'Kubernetes request patch resourcequotas/paddock-quota in namespace env-a failed with 422 Invalid on ResourceQuota paddock-quota: spec.hard[pods]: Invalid value: "x". Fix the named fields of the object Paddock built',
    );
  });

  it("maps 409 to a conflict", () => {
    const status = { code: 409, reason: "Conflict", message: "apply failed", details: { name: "x", kind: "jobs", causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl"', field: ".spec.parallelism" }] } };

    const error = toKubernetesApiError(apiException(409, status), { verb: "create", resource: "jobs", group: "batch", namespace: "env-a", name: "x" });

    expect(error.code).toBe("KUBERNETES_CONFLICT");
    expect(error.causes).toEqual([{ reason: "FieldManagerConflict", message: 'conflict with "kubectl"', field: ".spec.parallelism" }]);
  });

  it("maps a network failure to no status", () => {
    const error = toKubernetesApiError(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { verb: "list", resource: "namespaces", group: "" });

    expect([error.code, error.statusCode]).toEqual(["KUBERNETES_REQUEST_FAILED", 0]);
    expect(error.message).toBe("Kubernetes request list namespaces failed without a response: connect ECONNREFUSED 127.0.0.1:6443. Check that the kubeconfig's server is reachable");
  });
});

describe("parseMissingPermission", () => {
  it("reads a cluster-scoped denial", () => {
    const message = 'User "u" cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope';

    expect(parseMissingPermission(message)).toEqual({ user: "u", verb: "create", resource: "clusterrolebindings", group: "rbac.authorization.k8s.io" });
  });

  it("ignores an admission denial", () => {
    expect(parseMissingPermission('pods "p" is forbidden: exceeded quota: paddock-quota')).toBeUndefined();
  });
});
