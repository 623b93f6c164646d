import type { Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import type { EnvironmentSpec, ImageBuildSpec, StackSpec } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import type { CredentialedTarball } from "./fetchable-source.ts";
import { resolveCredential } from "./resolve-credential.ts";
import { buildImages, type BuiltImage } from "./run-image-build.ts";

/** Settings of image builds that come from the provider's options. */
export interface StackBuildSettings {
  buildkitImage: string;
  sourceImage: string;
  buildPodAnnotations: (image: ImageBuildSpec) => Record<string, string>;
}

/**
 * Prepares the part of a stack that must exist before any service starts: reports what the org
 * policy cannot serve, then builds every image in the build namespace. Resolves with the images
 * by digest. Throws a PaddockError with code CONFIG_INVALID for the stack's problems, or
 * IMAGE_BUILD_FAILED with each failed build's reason, so the run stops before its services.
 */
export async function prepareStack(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  stack: StackSpec;
  source: CredentialedTarball;
  settings: StackBuildSettings;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<BuiltImage[]> {
  const { client, environment, stack, source, settings, signal, logger } = options;
  if (stack.problems !== undefined && stack.problems.length > 0) {
    throw new PaddockError("CONFIG_INVALID", stack.problems.join("\n"), { hint: "Fix the org policy or .github/paddock.yml as each line says" });
  }
  if (stack.images.length === 0) return [];
  if (stack.build === undefined) {
    throw new PaddockError("USAGE", `environment ${environment.name} has images to build but no build settings`, { hint: "Set build.registry in the org policy" });
  }
  return buildImages({
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
