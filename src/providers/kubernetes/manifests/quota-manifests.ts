import type { KubernetesObject, V1ResourceQuota } from "@kubernetes/client-node";

import { PaddockError } from "../../../errors.ts";
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
/**
 * Extra pods and resource shares the quota grants when a step has `deploy: true`, for the
 * workloads that step creates. Each share is one step's resources.
 */
export const DEPLOY_WORKLOAD_SHARES = 2;
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
 * Returns how many times one step's resources the quota grants: one for the running step, one for
 * each service, and DEPLOY_WORKLOAD_SHARES when a step deploys workloads of its own.
 */
export function countResourceShares(environment: EnvironmentSpec): number {
  const stack = environment.stack;
  if (stack === undefined) return 1;
  return 1 + stack.services.length + (stack.deploySteps ? DEPLOY_WORKLOAD_SHARES : 0);
}

/**
 * Builds the ResourceQuota: requests and limits of CPU, memory and ephemeral storage equal to one
 * step's resources times {@link countResourceShares}, and QUOTA_PODS pods plus one for each
 * extra share.
 */
export function buildResourceQuotaManifest(options: { environment: EnvironmentSpec; namespace: string; ephemeralStorage: string }): V1ResourceQuota {
  const { environment, namespace } = options;
  const shares = countResourceShares(environment);
  const cpu = multiplyQuantity(environment.resources.cpu, shares);
  const memory = multiplyQuantity(environment.resources.memory, shares);
  const ephemeralStorage = multiplyQuantity(options.ephemeralStorage, shares);
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
        pods: String(QUOTA_PODS + shares - 1),
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

/**
 * Multiplies a Kubernetes quantity by a whole number, keeping its suffix: `500m` times 3 is
 * `1500m`, `2Gi` times 3 is `6Gi`. Returns the quantity unchanged for a factor of 1.
 */
export function multiplyQuantity(quantity: string, factor: number): string {
  if (factor === 1) return quantity;
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(quantity.trim());
  if (match === null) {
    throw new PaddockError("CONFIG_INVALID", `cannot multiply the quantity ${quantity} for the quota`, { hint: "Use a number with an optional suffix, such as 500m or 2Gi" });
  }
  const [, number = "", suffix = ""] = match;
  const decimals = number.includes(".") ? number.length - number.indexOf(".") - 1 : 0;
  return `${String(Number((Number(number) * factor).toFixed(decimals)))}${suffix}`;
}
