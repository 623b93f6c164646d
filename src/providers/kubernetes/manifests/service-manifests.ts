import type { V1Deployment, V1Probe, V1Service } from "@kubernetes/client-node";

import { LABEL_PREFIX } from "../../../environments/environment-labels.ts";
import type { EnvironmentSpec, ServiceSpec } from "../../provider.ts";
import { RESTRICTED_CONTAINER_SECURITY, STEP_RUN_AS_USER } from "./job-manifest.ts";
import { buildObjectMetadata } from "./object-metadata.ts";
import { STEP_SERVICE_ACCOUNT_NAME } from "./step-rbac-manifests.ts";

/** Label that selects a service's pods. */
export const SERVICE_LABEL = `${LABEL_PREFIX}/service`;
/** Name of the container that runs a service. */
export const SERVICE_CONTAINER_NAME = "service";
/** Seconds between two readiness checks of a service. */
export const READY_PERIOD_SECONDS = 2;

/** Inputs of a service's Deployment. */
export interface ServiceDeploymentInput {
  environment: EnvironmentSpec;
  service: ServiceSpec;
  /** Image by digest for a built image, or the external reference as configured. */
  image: string;
  podAnnotations: Record<string, string>;
}

/**
 * Builds a service's Deployment: one replica under the restricted Pod Security Standard, as the
 * steps' ServiceAccount without its token, with a readiness probe from the service's check.
 * The strategy is Recreate because the quota has room for one pod per service, and it also
 * makes the Available condition wait for that one pod to be ready.
 */
export function buildServiceDeploymentManifest(input: ServiceDeploymentInput): V1Deployment {
  const { environment, service } = input;
  const namespace = environment.name;
  const selector = { [SERVICE_LABEL]: service.name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: buildObjectMetadata({ environment, name: service.name, namespace, labels: selector }),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      strategy: { type: "Recreate" },
      progressDeadlineSeconds: Math.max(Math.ceil(service.timeoutSeconds), READY_PERIOD_SECONDS + 1),
      template: {
        metadata: { labels: { ...environment.labels, ...selector }, annotations: input.podAnnotations },
        spec: {
          serviceAccountName: STEP_SERVICE_ACCOUNT_NAME,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: STEP_RUN_AS_USER, runAsGroup: STEP_RUN_AS_USER, fsGroup: STEP_RUN_AS_USER, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: SERVICE_CONTAINER_NAME,
              image: input.image,
              ...(service.run === undefined ? {} : { command: ["/bin/sh", "-c", service.run] }),
              env: Object.entries(service.env).map(([name, value]) => ({ name, value })),
              ports: [{ name: "service", containerPort: service.port, protocol: "TCP" }],
              readinessProbe: buildReadinessProbe(service),
              securityContext: RESTRICTED_CONTAINER_SECURITY,
            },
          ],
        },
      },
    },
  };
}

/** Builds the Service that gives a service its DNS name `<name>.<namespace>.svc` on its port. */
export function buildServiceManifest(options: { environment: EnvironmentSpec; service: ServiceSpec }): V1Service {
  const { environment, service } = options;
  const selector = { [SERVICE_LABEL]: service.name };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: buildObjectMetadata({ environment, name: service.name, namespace: environment.name, labels: selector }),
    spec: { type: "ClusterIP", selector, ports: [{ name: "service", port: service.port, targetPort: service.port, protocol: "TCP" }] },
  };
}

/** Returns the in-cluster host of a service: `<name>.<namespace>.svc`. */
export function serviceHost(options: { namespace: string; service: Pick<ServiceSpec, "name"> }): string {
  return `${options.service.name}.${options.namespace}.svc`;
}

/** Returns the in-cluster URL of a service: `http://<name>.<namespace>.svc:<port>`. */
export function serviceUrl(options: { namespace: string; service: Pick<ServiceSpec, "name" | "port"> }): string {
  return `http://${serviceHost(options)}:${options.service.port}`;
}

function buildReadinessProbe(service: ServiceSpec): V1Probe {
  const action = "http" in service.ready ? { httpGet: { path: service.ready.http, port: service.port } } : { tcpSocket: { port: service.ready.tcp } };
  return { ...action, periodSeconds: READY_PERIOD_SECONDS, failureThreshold: 1, timeoutSeconds: 1 };
}
