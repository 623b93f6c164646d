import type { V1Ingress } from "@kubernetes/client-node";

import type { EnvironmentSpec, ExposeSpec } from "../../provider.ts";
import { buildObjectMetadata } from "./object-metadata.ts";

/** Name of the Ingress of an environment's exposed service. */
export const PREVIEW_INGRESS_NAME = "paddock-preview";

/** Builds the Ingress that routes the preview host to the exposed service's port. */
export function buildPreviewIngressManifest(options: { environment: EnvironmentSpec; expose: ExposeSpec }): V1Ingress {
  const { environment, expose } = options;
  const backend = { service: { name: expose.service, port: { number: expose.port } } };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: buildObjectMetadata({ environment, name: PREVIEW_INGRESS_NAME, namespace: environment.name }),
    spec: {
      ...(expose.ingressClass === undefined ? {} : { ingressClassName: expose.ingressClass }),
      rules: [{ host: expose.host, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }],
    },
  };
}

/** Returns the preview URL of an exposed service. */
export function previewUrl(expose: ExposeSpec): string {
  // NOTE: the URL uses http because Paddock creates no TLS section; an ingress controller with a default certificate may also serve https.
  return `http://${expose.host}/`;
}
