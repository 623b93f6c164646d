import { randomBytes } from "node:crypto";

import type { V1Job } from "@kubernetes/client-node";
import type { Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import { formatDuration } from "../local/format-duration.ts";
import type { BuildSettings, EnvironmentSpec, ImageBuildSpec, TarballCredential } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import { describeBuildFailure } from "./describe-build-failure.ts";
import { isNotFoundError } from "./kubernetes-api-error.ts";
import { BUILD_CONTAINER_NAME, buildImageJobManifest } from "./manifests/build-job-manifest.ts";
import { parseImageDigest } from "./manifests/build-scripts.ts";
import { buildSourceSecretManifest } from "./manifests/source-secret-manifest.ts";
import { DEADLINE_GRACE_SECONDS } from "./run-job-step.ts";
import { watchStep } from "./watch-step.ts";

/** Maximum seconds one image build may take before its Job is stopped. */
export const IMAGE_BUILD_TIMEOUT_SECONDS = 30 * 60;

/** Settings of build Jobs that come from the provider's options. */
export interface ImageBuildSettings {
  buildkitImage: string;
  sourceImage: string;
  podAnnotations: (image: ImageBuildSpec) => Record<string, string>;
}

/** A pushed image: its name in the repository config and its reference by digest. */
export interface BuiltImage {
  name: string;
  /** `<repository>@sha256:...`, which services use so they run exactly what was built. */
  reference: string;
}

/**
 * Builds every image of the stack at once, each in its own Job in the build namespace.
 * Resolves with the images by digest once all are pushed. Throws a PaddockError with code
 * IMAGE_BUILD_FAILED that quotes the reason of every failed build, after the others ended.
 */
export async function buildImages(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  sha: string;
  images: ImageBuildSpec[];
  build: BuildSettings;
  credential: () => Promise<TarballCredential>;
  settings: ImageBuildSettings;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<BuiltImage[]> {
  const results = await Promise.all(options.images.map((image) => buildImage({ ...options, image })));
  const failures = results.filter((result): result is { failure: string } => "failure" in result);
  if (failures.length > 0) {
    throw new PaddockError("IMAGE_BUILD_FAILED", failures.map((failure) => failure.failure).join("\n"), {
      hint: "Fix the Dockerfile or the images section of .github/paddock.yml, then push again",
    });
  }
  return results.filter((result): result is BuiltImage => "reference" in result);
}

async function buildImage(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  sha: string;
  image: ImageBuildSpec;
  build: BuildSettings;
  credential: () => Promise<TarballCredential>;
  settings: ImageBuildSettings;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<BuiltImage | { failure: string }> {
  const { client, environment, image, build, signal, logger } = options;
  const namespace = build.namespace;
  const jobName = `build-${image.name.slice(0, 40)}-${options.sha.slice(0, 7)}-${randomBytes(3).toString("hex")}`;
  const call = (verb: "create" | "delete", resource: "jobs" | "secrets") => ({
    environment: environment.name,
    target: { verb, resource, group: resource === "jobs" ? "batch" : "", namespace, name: jobName },
  });
  const credential = await options.credential();

  // 1. The Job, then the source token's Secret, owned by the Job.
  const manifest = buildImageJobManifest({
    environment,
    image,
    build,
    jobName,
    secretName: jobName,
    sourceUrl: credential.url,
    buildkitImage: options.settings.buildkitImage,
    sourceImage: options.settings.sourceImage,
    timeoutSeconds: IMAGE_BUILD_TIMEOUT_SECONDS,
    podAnnotations: options.settings.podAnnotations(image),
  });
  const job: V1Job = await client.call(call("create", "jobs"), (apis) => apis.batch.createNamespacedJob({ namespace, body: manifest }));
  const secret = buildSourceSecretManifest({ environment, name: jobName, token: credential.token, job });
  secret.metadata!.namespace = namespace;
  const deleteJob = () => client.call(call("delete", "jobs"), (apis) => apis.batch.deleteNamespacedJob({ namespace, name: jobName, propagationPolicy: "Background" }));
  try {
    await client.call(call("create", "secrets"), (apis) => apis.core.createNamespacedSecret({ namespace, body: secret }));
  } catch (error) {
    await deleteJob();
    throw error;
  }
  logger.info({ environment: environment.name, image: image.name, job: jobName, namespace }, "image build job created");

  // 2. Watch it to its end, then remove the token, and the Job unless it ended by itself.
  const watched = await watchStep({
    client,
    environment: environment.name,
    namespace,
    mainContainer: BUILD_CONTAINER_NAME,
    jobName,
    jobUid: job.metadata?.uid ?? "",
    timeoutSeconds: IMAGE_BUILD_TIMEOUT_SECONDS,
    deadlineMs: (IMAGE_BUILD_TIMEOUT_SECONDS + DEADLINE_GRACE_SECONDS) * 1000,
    signal,
    logger,
  });
  await Promise.all([
    client.call(call("delete", "secrets"), (apis) => apis.core.deleteNamespacedSecret({ namespace, name: jobName })).catch((error: unknown) => {
      if (!isNotFoundError(error)) logger.warn({ err: error, environment: environment.name, secret: jobName }, "deleting the build's source secret failed; the Job's deletion removes it");
    }),
    watched.kind === "ended" ? undefined : deleteJob(),
  ]);

  // 3. The digest, or why there is none.
  const subject = `image ${image.name} (${image.repository}:${image.tag})`;
  if (watched.kind === "aborted") throw signal.reason instanceof Error ? signal.reason : new Error(`the build of ${subject} was cancelled`);
  if (watched.kind === "deadline") return { failure: `the build of ${subject} timed out after ${formatDuration(IMAGE_BUILD_TIMEOUT_SECONDS)}` };
  const { outcome } = watched;
  const message = outcome.terminationMessage?.trim() ?? "";
  if (outcome.status !== "success") {
    return { failure: await describeBuildFailure({ client, environment: environment.name, namespace, jobName, image, outcome, logger }) };
  }
  const digest = parseImageDigest(message);
  if (digest === undefined) return { failure: `the build of ${subject} succeeded but wrote no image digest to its termination message (found ${JSON.stringify(message.slice(0, 200))})` };
  logger.info({ environment: environment.name, image: image.name, digest }, "image built");
  return { name: image.name, reference: `${image.repository}@${digest}` };
}
