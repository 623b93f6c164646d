import type { V1ObjectMeta } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";

/** Builds the metadata every object of an environment carries: its labels and annotations. */
export function buildObjectMetadata(options: {
  environment: EnvironmentSpec;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}): V1ObjectMeta {
  const { environment, name, namespace } = options;
  const metadata: V1ObjectMeta = {
    name,
    labels: { ...environment.labels, ...options.labels },
    annotations: { ...environment.annotations, ...options.annotations },
  };
  if (namespace !== undefined) metadata.namespace = namespace;
  return metadata;
}
