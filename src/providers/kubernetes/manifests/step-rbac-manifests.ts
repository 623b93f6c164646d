import type { V1Role, V1RoleBinding, V1ServiceAccount } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";
import { buildObjectMetadata } from "./object-metadata.ts";

/** Name of the ServiceAccount that step pods run as. */
export const STEP_SERVICE_ACCOUNT_NAME = "paddock-step";
/** Name of the steps' Role and of its RoleBinding. */
export const STEP_ROLE_NAME = "paddock-step";

/** Builds the steps' ServiceAccount, whose token is never mounted into pods. */
export function buildStepServiceAccountManifest(options: { environment: EnvironmentSpec; namespace: string }): V1ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: buildObjectMetadata({ ...options, name: STEP_SERVICE_ACCOUNT_NAME }),
    automountServiceAccountToken: false,
  };
}

/**
 * Builds the steps' Role, which grants nothing, because steps build and test the checkout and
 * need no API access. RBAC lets a user grant only permissions that user holds, so an empty Role
 * also keeps Paddock's own ClusterRole small.
 */
export function buildStepRoleManifest(options: { environment: EnvironmentSpec; namespace: string }): V1Role {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: buildObjectMetadata({ ...options, name: STEP_ROLE_NAME }),
    rules: [],
  };
}

/** Builds the RoleBinding of the steps' Role to their ServiceAccount. */
export function buildStepRoleBindingManifest(options: { environment: EnvironmentSpec; namespace: string }): V1RoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: buildObjectMetadata({ ...options, name: STEP_ROLE_NAME }),
    subjects: [{ kind: "ServiceAccount", name: STEP_SERVICE_ACCOUNT_NAME, namespace: options.namespace }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: STEP_ROLE_NAME },
  };
}
