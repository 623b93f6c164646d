import type { Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import type { ImageBuildSpec, PreparedEnvironment, ServiceSpec, EnvironmentSpec, StackSpec } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import type { CredentialedTarball } from "./kubernetes-provider.ts";
import { resolveCredential } from "./resolve-credential.ts";
import { buildImages, type BuiltImage } from "./run-image-build.ts";
import { startServices } from "./start-services.ts";

/** Settings of builds and services that come from the provider's options. */
export interface StackSettings {
  buildkitImage: string;
  sourceImage: string;
  buildPodAnnotations: (image: ImageBuildSpec) => Record<string, string>;
  servicePodAnnotations: (service: ServiceSpec) => Record<string, string>;
}

/**
 * Brings up an environment's stack in order: builds every image in the build namespace, then
 * starts the services from the built images by digest and waits until each is ready, then
 * exposes the preview. Returns the service URLs and the preview URL for the prepared environment.
 * A failed build throws before any service starts; a service that is not ready throws after its timeout.
 */
export async function prepareStack(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  stack: StackSpec;
  source: CredentialedTarball;
  settings: StackSettings;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<Pick<PreparedEnvironment, "serviceUrls" | "previewUrl">> {
  const { client, environment, stack, source, settings, signal, logger } = options;

  // 1. Images.
  let images: BuiltImage[] = [];
  if (stack.images.length > 0) {
    if (stack.build === undefined) {
      throw new PaddockError("USAGE", `environment ${environment.name} has images to build but no build settings`, { hint: "Set build.registry in the org policy" });
    }
    images = await buildImages({
      client,
      environment,
      sha: source.sha,
      images: stack.images,
      build: stack.build,
      credential: () => resolveCredential(source),
      settings: { buildkitImage: settings.buildkitImage, sourceImage: settings.sourceImage, podAnnotations: settings.buildPodAnnotations },
      signal,
      logger,
    });
  }

  // 2. Services, then the preview.
  if (stack.services.length === 0) return {};
  const started = await startServices({ client, environment, stack, images, podAnnotations: settings.servicePodAnnotations, signal, logger });
  return started.previewUrl === undefined ? { serviceUrls: started.serviceUrls } : { serviceUrls: started.serviceUrls, previewUrl: started.previewUrl };
}
