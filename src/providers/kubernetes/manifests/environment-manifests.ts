import type { KubernetesObject, V1Namespace, V1RoleBinding } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";
import { classifyEgress } from "./egress-rules.ts";
import { buildDeployRoleBindingManifest, buildDeployServiceAccountManifest } from "./deploy-rbac-manifests.ts";
import { buildNamespaceManifest } from "./namespace-manifest.ts";
import { buildNetworkPolicyManifest, egressAnnotations } from "./network-policy-manifest.ts";
import { buildLimitRangeManifest, buildResourceQuotaManifest } from "./quota-manifests.ts";
import { buildStepRoleBindingManifest, buildStepRoleManifest, buildStepServiceAccountManifest } from "./step-rbac-manifests.ts";

/** Options that shape every environment's objects. */
export interface ManifestOptions {
  /** Version of the restricted Pod Security Standard to enforce, such as `latest` or `v1.37`. */
  podSecurityVersion: string;
  /** Ephemeral storage of a step, and the namespace's quota of it, as a quantity. */
  ephemeralStorage: string;
}

/**
 * The objects of one environment in the order they are applied: the Namespace first, then the
 * objects that depend on nothing but it, then the RoleBindings, which RBAC only admits once their
 * Role exists.
 */
export interface EnvironmentManifests {
  namespace: V1Namespace;
  independent: KubernetesObject[];
  /** The steps' RoleBinding, and the deploy steps' one when a step deploys. */
  roleBindings: V1RoleBinding[];
}

/** Builds every object of an environment from its spec. Pure. */
export function buildEnvironmentManifests(environment: EnvironmentSpec, options: ManifestOptions): EnvironmentManifests {
  const namespace = environment.name;
  const egress = classifyEgress(environment.egress);
  const scoped = { environment, namespace };
  const deploys = environment.stack?.deploySteps ?? false;
  return {
    namespace: buildNamespaceManifest({ environment, podSecurityVersion: options.podSecurityVersion, annotations: egressAnnotations(egress) }),
    independent: [
      buildResourceQuotaManifest({ ...scoped, ephemeralStorage: options.ephemeralStorage }),
      buildLimitRangeManifest({ ...scoped, ephemeralStorage: options.ephemeralStorage }),
      buildNetworkPolicyManifest({ ...scoped, egress }),
      buildStepServiceAccountManifest(scoped),
      buildStepRoleManifest(scoped),
      ...(deploys ? [buildDeployServiceAccountManifest(scoped)] : []),
    ],
    roleBindings: [buildStepRoleBindingManifest(scoped), ...(deploys ? [buildDeployRoleBindingManifest(scoped)] : [])],
  };
}

/** Returns the objects of an environment as one list, in apply order. */
export function listEnvironmentObjects(manifests: EnvironmentManifests): KubernetesObject[] {
  return [manifests.namespace, ...manifests.independent, ...manifests.roleBindings];
}
