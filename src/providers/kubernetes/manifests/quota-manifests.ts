import type { KubernetesObject, V1ResourceQuota } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";
import { buildObjectMetadata } from "./object-metadata.ts";

/** Name of the environment's ResourceQuota. */
export const RESOURCE_QUOTA_NAME = "paddock-quota";
/** Name of the environment's LimitRange. */
export const LIMIT_RANGE_NAME = "paddock-limits";
/**
 * Maximum pods that are not finished at once. Steps run one at a time and the CPU and memory
 * quota fit one step, so the extra room is for pods of earlier steps that are still stopping.
 */
export const QUOTA_PODS = 4;
/** Default ephemeral storage of a step's container, and the namespace's quota of it. */
export const DEFAULT_EPHEMERAL_STORAGE = "4Gi";

/**
 * A LimitRange as the API server reads it. client-node's `V1LimitRangeItem` spells `default` as
 * `_default`, and apply requests send the object as written, so the manifest uses its own type.
 */
export interface LimitRangeManifest extends KubernetesObject {
  spec: { limits: Array<{ type: string; default: Record<string, string>; defaultRequest: Record<string, string>; max: Record<string, string> }> };
}

/** Container resources of a step: the environment's CPU and memory, as requests and as limits. */
export function buildStepResources(environment: EnvironmentSpec, ephemeralStorage: string): Record<string, string> {
  return { cpu: environment.resources.cpu, memory: environment.resources.memory, "ephemeral-storage": ephemeralStorage };
}

/**
 * Builds the ResourceQuota: requests and limits of CPU, memory and ephemeral storage equal to one
 * step's resources, and at most QUOTA_PODS pods.
 */
export function buildResourceQuotaManifest(options: { environment: EnvironmentSpec; namespace: string; ephemeralStorage: string }): V1ResourceQuota {
  const { environment, namespace, ephemeralStorage } = options;
  const { cpu, memory } = environment.resources;
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: buildObjectMetadata({ environment, name: RESOURCE_QUOTA_NAME, namespace }),
    spec: {
      hard: {
        "requests.cpu": cpu,
        "limits.cpu": cpu,
        "requests.memory": memory,
        "limits.memory": memory,
        "requests.ephemeral-storage": ephemeralStorage,
        "limits.ephemeral-storage": ephemeralStorage,
        pods: String(QUOTA_PODS),
      },
    },
  };
}

/**
 * Builds the LimitRange: a container that names no resources gets the step's resources as requests
 * and limits, so the quota admits it, and no container may ask for more than one step has.
 */
export function buildLimitRangeManifest(options: { environment: EnvironmentSpec; namespace: string; ephemeralStorage: string }): LimitRangeManifest {
  const { environment, namespace, ephemeralStorage } = options;
  const resources = buildStepResources(environment, ephemeralStorage);
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: buildObjectMetadata({ environment, name: LIMIT_RANGE_NAME, namespace }),
    spec: { limits: [{ type: "Container", default: resources, defaultRequest: resources, max: resources }] },
  };
}
