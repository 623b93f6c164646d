import type { V1Job } from "@kubernetes/client-node";
import type { Logger } from "pino";

import type { EnvironmentSpec, StepSpec, TarballCredential } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import { isNotFoundError } from "./kubernetes-api-error.ts";
import { buildStepJobManifest } from "./manifests/job-manifest.ts";
import { buildSourceSecretManifest } from "./manifests/source-secret-manifest.ts";

/** Images and options a step's Job is built with. */
export interface StepJobSettings {
  defaultImage: string;
  sourceImage: string;
  ephemeralStorage: string;
  podAnnotations: (step: StepSpec) => Record<string, string>;
}

/** A step's Job and Secret, which share one name, in the environment's namespace. */
export interface StepObjects {
  client: KubeClient;
  namespace: string;
  jobName: string;
}

const target = (objects: StepObjects, verb: "create" | "delete", resource: "jobs" | "secrets") => ({
  environment: objects.namespace,
  target: { verb, resource, group: resource === "jobs" ? "batch" : "", namespace: objects.namespace, name: objects.jobName },
});

/**
 * Creates a step's Job, then the Secret with its source token, owned by the Job. The source
 * container waits for the Secret to exist. When the Secret cannot be created the Job is deleted
 * again, because its pod would otherwise wait until the deadline.
 */
export async function createStepObjects(objects: StepObjects, input: { environment: EnvironmentSpec; step: StepSpec; credential: TarballCredential; settings: StepJobSettings }): Promise<V1Job> {
  const { client, namespace, jobName } = objects;
  const { environment, step, credential, settings } = input;
  const manifest = buildStepJobManifest({
    environment,
    step,
    jobName,
    secretName: jobName,
    sourceUrl: credential.url,
    image: step.image ?? settings.defaultImage,
    sourceImage: settings.sourceImage,
    ephemeralStorage: settings.ephemeralStorage,
    podAnnotations: settings.podAnnotations(step),
  });

  const job = await client.call(target(objects, "create", "jobs"), (apis) => apis.batch.createNamespacedJob({ namespace, body: manifest }));
  const secret = buildSourceSecretManifest({ environment, name: jobName, token: credential.token, job });
  try {
    await client.call(target(objects, "create", "secrets"), (apis) => apis.core.createNamespacedSecret({ namespace, body: secret }));
  } catch (error) {
    await deleteStepJob(objects);
    throw error;
  }
  return job;
}

/** Deletes a step's Job; its pods go in the background, and so does the Secret it owns. */
export async function deleteStepJob(objects: StepObjects): Promise<void> {
  const { client, namespace, jobName } = objects;
  await client.call(target(objects, "delete", "jobs"), (apis) => apis.batch.deleteNamespacedJob({ namespace, name: jobName, propagationPolicy: "Background" }));
}

/** Deletes a step's source Secret. A failure is only logged, because deleting the Job removes the Secret too. */
export async function deleteSourceSecret(objects: StepObjects, logger: Pick<Logger, "warn">): Promise<void> {
  const { client, namespace, jobName } = objects;
  try {
    await client.call(target(objects, "delete", "secrets"), (apis) => apis.core.deleteNamespacedSecret({ namespace, name: jobName }));
  } catch (error) {
    if (!isNotFoundError(error)) logger.warn({ err: error, environment: namespace, secret: jobName }, "deleting the source secret failed; the Job's deletion removes it");
  }
}
