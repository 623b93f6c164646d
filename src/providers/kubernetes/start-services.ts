import type { KubernetesObject, V1Deployment } from "@kubernetes/client-node";
import type { Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import { formatDuration } from "../local/format-duration.ts";
import type { EnvironmentSpec, ExposeSpec, ServiceSpec, ServiceStatus } from "../provider.ts";
import { applyObject } from "./apply-object.ts";
import type { KubeClient } from "./kube-client.ts";
import { buildPreviewIngressManifest, previewUrl } from "./manifests/ingress-manifest.ts";
import { buildServiceDeploymentManifest, buildServiceManifest, SERVICE_LABEL, serviceUrl } from "./manifests/service-manifests.ts";
import type { BuiltImage } from "./run-image-build.ts";
import { describeUnreadyService, isDeploymentReady } from "./service-readiness.ts";
import { waitForObject } from "./wait-for-object.ts";

/** Result of {@link startServices}: the status and URL of each service, and the preview URL when one is exposed. */
export interface ServicesOutcome {
  statuses: ServiceStatus[];
  serviceUrls: Record<string, string>;
  previewUrl?: string;
}

/**
 * Applies a Deployment and a Service for every service at once, then waits until each
 * Deployment is ready, every service within its own timeout. A service that is not ready in time
 * gets status `failed` with its pod's conditions and last events. Applies the preview Ingress
 * once all are ready. Rejects only when an API request fails or `signal` aborts.
 */
export async function startServices(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  services: readonly ServiceSpec[];
  expose: ExposeSpec | undefined;
  images: BuiltImage[];
  podAnnotations: (service: ServiceSpec) => Record<string, string>;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<ServicesOutcome> {
  const { client, environment, services, signal, logger } = options;
  const namespace = environment.name;
  const apply = (object: KubernetesObject) => applyObject({ client, environment: namespace, object, signal });
  const startedAt = Date.now();

  // 1. Every Deployment and Service at once.
  const deployments = await Promise.all(
    services.map(async (service) => {
      const image = resolveServiceImage(service, options.images);
      const [deployment] = await Promise.all([
        apply(buildServiceDeploymentManifest({ environment, service, image, podAnnotations: options.podAnnotations(service) })),
        apply(buildServiceManifest({ environment, service })),
      ]);
      return { service, uid: deployment.metadata?.uid ?? "" };
    }),
  );
  logger.info({ environment: namespace, services: services.length }, "services applied");

  // 2. Wait until each is ready.
  const statuses = await Promise.all(deployments.map((entry) => waitForService({ ...options, ...entry, startedAt })));
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("starting the services was cancelled");
  const serviceUrls = Object.fromEntries(services.map((service) => [service.name, serviceUrl({ namespace, service })]));
  if (statuses.some((status) => status.status !== "ready") || options.expose === undefined) return { statuses, serviceUrls };

  // 3. The preview Ingress.
  await apply(buildPreviewIngressManifest({ environment, expose: options.expose }));
  return { statuses, serviceUrls, previewUrl: previewUrl(options.expose) };
}

/** Returns the image a service runs: a built image by digest, or the external reference as written. */
export function resolveServiceImage(service: ServiceSpec, images: BuiltImage[]): string {
  const name = service.builtImage;
  if (name === undefined) return service.image;
  const built = images.find((image) => image.name === name);
  if (built === undefined) {
    throw new PaddockError("USAGE", `service ${service.name} uses image ${name}, which was not built`, { hint: "List the image under images in .github/paddock.yml" });
  }
  return built.reference;
}

/** Waits for one service's Deployment; a service not ready within its timeout fails with the pod's conditions and events. */
async function waitForService(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  service: ServiceSpec;
  uid: string;
  startedAt: number;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<ServiceStatus> {
  const { client, environment, service, signal, logger } = options;
  const namespace = environment.name;
  const timeoutMs = service.timeoutSeconds * 1000;
  const outcome = await waitForObject<V1Deployment, true>({
    client,
    environment: namespace,
    target: { resource: "deployments", group: "apps", namespace },
    path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    name: service.name,
    typeName: "V1Deployment",
    list: (apis, fieldSelector) => apis.apps.listNamespacedDeployment({ namespace, fieldSelector }),
    until: (deployment) => (isDeploymentReady(deployment) ? true : undefined),
    timeoutMs,
    signal,
    logger,
  });
  if (outcome.done) {
    const readyMs = Date.now() - options.startedAt;
    logger.info({ environment: namespace, service: service.name, readyMs }, "service ready");
    return { name: service.name, status: "ready", readyMs };
  }
  if (signal.aborted) return { name: service.name, status: "skipped", reason: "cancelled" };
  const detail = await readUnreadyDetail({ client, namespace, service, deploymentUid: options.uid });
  logger.warn({ environment: namespace, service: service.name }, "service not ready within its timeout");
  return { name: service.name, status: "failed", reason: `not ready within ${formatDuration(service.timeoutSeconds)}: ${detail}` };
}

async function readUnreadyDetail(options: { client: KubeClient; namespace: string; service: ServiceSpec; deploymentUid: string }): Promise<string> {
  const { client, namespace, service } = options;
  const labelSelector = `${SERVICE_LABEL}=${service.name}`;
  const list = (resource: string, group: string) => ({ environment: namespace, target: { verb: "list" as const, resource, group, namespace } });
  const [pods, replicaSets, events] = await Promise.all([
    client.call(list("pods", ""), (apis) => apis.core.listNamespacedPod({ namespace, labelSelector })),
    client.call(list("replicasets", "apps"), (apis) => apis.apps.listNamespacedReplicaSet({ namespace, labelSelector })),
    client.call(list("events", ""), (apis) => apis.core.listNamespacedEvent({ namespace })),
  ]);
  const objectUids = new Set([options.deploymentUid, ...[...pods.items, ...replicaSets.items].map((object) => object.metadata?.uid ?? "")]);
  objectUids.delete("");
  return describeUnreadyService({ service: service.name, pods: pods.items, events: events.items, objectUids });
}
