import type { V1Namespace } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";
import { buildObjectMetadata } from "./object-metadata.ts";

/** Pod Security Standard that every environment namespace enforces. */
export const POD_SECURITY_LEVEL = "restricted";
/**
 * Default version of the Pod Security Standard to enforce. `latest` follows the cluster, so a
 * cluster upgrade can tighten the rules; pin a version such as `v1.37` for stable admission.
 */
export const DEFAULT_POD_SECURITY_VERSION = "latest";

/**
 * Annotation of an environment's namespace with the host of its preview. The deploy steps'
 * admission policy lets them route only this host with an Ingress, and none when it is missing.
 */
export const PREVIEW_HOST_ANNOTATION = "paddock.dev/preview-host";

/** Builds the environment's Namespace, which enforces the restricted Pod Security Standard. */
export function buildNamespaceManifest(options: { environment: EnvironmentSpec; podSecurityVersion: string; annotations: Record<string, string> }): V1Namespace {
  const { environment } = options;
  const host = environment.stack?.expose?.host;
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: buildObjectMetadata({
      environment,
      name: environment.name,
      labels: {
        "pod-security.kubernetes.io/enforce": POD_SECURITY_LEVEL,
        "pod-security.kubernetes.io/enforce-version": options.podSecurityVersion,
      },
      annotations: host === undefined ? options.annotations : { ...options.annotations, [PREVIEW_HOST_ANNOTATION]: host },
    }),
  };
}
