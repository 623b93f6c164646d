import type { KubernetesObject, V1Deployment } from "@kubernetes/client-node";
import type { Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import { formatDuration } from "../local/format-duration.ts";
import type { EnvironmentSpec, ServiceSpec, StackSpec } from "../provider.ts";
import { applyObject } from "./apply-object.ts";
import type { KubeClient } from "./kube-client.ts";
import { buildPreviewIngressManifest, previewUrl } from "./manifests/ingress-manifest.ts";
import { buildServiceDeploymentManifest, buildServiceManifest, SERVICE_LABEL, serviceUrl } from "./manifests/service-manifests.ts";
import type { BuiltImage } from "./run-image-build.ts";
import { describeUnreadyService, isDeploymentReady } from "./service-readiness.ts";
import { waitForObject } from "./wait-for-object.ts";

/** What {@link startServices} returns: each service's URL, and the preview URL when one is exposed. */
export interface StartedServices {
  serviceUrls: Record<string, string>;
  previewUrl?: string;
}

/**
 * Applies a Deployment and a Service for every service of the stack, then waits until each
 * Deployment is ready, every service within its own timeout. Applies the preview Ingress once
 * all are ready. Throws a PaddockError with code SERVICE_NOT_READY that quotes the pod's
 * conditions and last events of every service that was not ready in time.
 */
export async function startServices(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  stack: StackSpec;
  images: BuiltImage[];
  podAnnotations: (service: ServiceSpec) => Record<string, string>;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<StartedServices> {
  const { client, environment, stack, signal, logger } = options;
  const namespace = environment.name;
  const apply = (object: KubernetesObject) => applyObject({ client, environment: namespace, object, signal });

  // 1. Every Deployment and Service at once.
  const deployments = await Promise.all(
    stack.services.map(async (service) => {
      const image = resolveServiceImage(service, options.images);
      const [deployment] = await Promise.all([
        apply(buildServiceDeploymentManifest({ environment, service, image, podAnnotations: options.podAnnotations(service) })),
        apply(buildServiceManifest({ environment, service })),
      ]);
      return { service, uid: deployment.metadata?.uid ?? "" };
    }),
  );
  logger.info({ environment: namespace, services: stack.services.length }, "services applied");

  // 2. Wait until each is ready.
  const failures = (await Promise.all(deployments.map((entry) => waitForService({ ...options, ...entry })))).filter((failure) => failure !== undefined);
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("starting the services was cancelled");
  if (failures.length > 0) {
    throw new PaddockError("SERVICE_NOT_READY", failures.join("\n"), {
      hint: "Check the service's image, command, port and ready check in .github/paddock.yml, or raise its timeout",
    });
  }

  // 3. The preview Ingress.
  const serviceUrls = Object.fromEntries(stack.services.map((service) => [service.name, serviceUrl({ namespace, service })]));
  if (stack.expose === undefined) return { serviceUrls };
  await apply(buildPreviewIngressManifest({ environment, expose: stack.expose }));
  return { serviceUrls, previewUrl: previewUrl(stack.expose) };
}

/** Returns the image a service runs: a built image by digest, or the external reference as written. */
export function resolveServiceImage(service: ServiceSpec, images: BuiltImage[]): string {
  if ("reference" in service.image) return service.image.reference;
  const name = service.image.built;
  const built = images.find((image) => image.name === name);
  if (built === undefined) {
    throw new PaddockError("USAGE", `service ${service.name} uses image ${name}, which was not built`, { hint: "List the image under images in .github/paddock.yml" });
  }
  return built.reference;
}

/** Waits for one service's Deployment; returns why it is not ready when its timeout passed. */
async function waitForService(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  service: ServiceSpec;
  uid: string;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<string | undefined> {
  const { client, environment, service, signal, logger } = options;
  const namespace = environment.name;
  const timeoutMs = service.readyTimeoutSeconds * 1000;
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
    logger.info({ environment: namespace, service: service.name }, "service ready");
    return undefined;
  }
  if (signal.aborted) return undefined;
  const detail = await readUnreadyDetail({ client, namespace, service, deploymentUid: options.uid });
  return `service ${service.name} was not ready within ${formatDuration(service.readyTimeoutSeconds)}: ${detail}`;
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
