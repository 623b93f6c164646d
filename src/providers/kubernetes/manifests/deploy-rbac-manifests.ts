import type { V1RoleBinding, V1ServiceAccount } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";
import { buildObjectMetadata } from "./object-metadata.ts";

/** Name of the ServiceAccount that `deploy: true` steps run as. */
export const DEPLOY_SERVICE_ACCOUNT_NAME = "paddock-deploy";
/**
 * Name of the ClusterRole (installed by deploy/) that deploy steps get in their own namespace.
 * Paddock may only bind this one ClusterRole (`bind` with its resource name), so it needs none
 * of the permissions inside it.
 */
export const DEPLOY_CLUSTER_ROLE_NAME = "paddock-deploy";

/** Builds the deploy steps' ServiceAccount. Its token is mounted only into deploy steps' pods. */
export function buildDeployServiceAccountManifest(options: { environment: EnvironmentSpec; namespace: string }): V1ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: buildObjectMetadata({ ...options, name: DEPLOY_SERVICE_ACCOUNT_NAME }),
    automountServiceAccountToken: false,
  };
}

/**
 * Builds the RoleBinding that grants the `paddock-deploy` ClusterRole to the deploy steps'
 * ServiceAccount. A RoleBinding grants a ClusterRole's rules in its own namespace only.
 */
export function buildDeployRoleBindingManifest(options: { environment: EnvironmentSpec; namespace: string }): V1RoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: buildObjectMetadata({ ...options, name: DEPLOY_SERVICE_ACCOUNT_NAME }),
    subjects: [{ kind: "ServiceAccount", name: DEPLOY_SERVICE_ACCOUNT_NAME, namespace: options.namespace }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: DEPLOY_CLUSTER_ROLE_NAME },
  };
}
