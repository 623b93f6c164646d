import type { V1Job } from "@kubernetes/client-node";
import type { Logger } from "pino";

import type { EnvironmentSpec, StepSpec, TarballCredential } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import { isNotFoundError, KubernetesApiError } from "./kubernetes-api-error.ts";
import { buildStepJobManifest } from "./manifests/job-manifest.ts";
import { buildSourceSecretManifest, nameSourceSecret } from "./manifests/source-secret-manifest.ts";

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

const target = (objects: StepObjects, verb: "create" | "delete" | "list", resource: "jobs" | "secrets") => ({
  environment: objects.namespace,
  target: { verb, resource, group: resource === "jobs" ? "batch" : "", namespace: objects.namespace, name: resource === "jobs" ? objects.jobName : nameSourceSecret(objects.jobName) },
});

/**
 * Creates a step's Job, then the Secret with its source token, owned by the Job. The source
 * container waits for the Secret to exist. When the Secret cannot be created the Job is deleted
 * again, because its pod would otherwise wait until the deadline. A Job of the same name that
 * exists already was created for the same run by another process: it is adopted (`adopted` is
 * true), and its Secret is created only when that process died before creating it.
 */
export async function createStepObjects(
  objects: StepObjects,
  input: { environment: EnvironmentSpec; step: StepSpec; credential: TarballCredential; settings: StepJobSettings },
): Promise<{ job: V1Job; adopted: boolean }> {
  const { client, namespace, jobName } = objects;
  const { environment, step, credential, settings } = input;
  const manifest = buildStepJobManifest({
    environment,
    step,
    jobName,
    secretName: nameSourceSecret(jobName),
    sourceUrl: credential.url,
    image: step.image ?? settings.defaultImage,
    sourceImage: settings.sourceImage,
    ephemeralStorage: settings.ephemeralStorage,
    podAnnotations: settings.podAnnotations(step),
  });

  const created = await client.call(target(objects, "create", "jobs"), (apis) => apis.batch.createNamespacedJob({ namespace, body: manifest })).catch((error: unknown) => {
    if (isConflict(error)) return undefined;
    throw error;
  });
  const job = created ?? (await readStepJob(objects));
  const secret = buildSourceSecretManifest({ environment, name: nameSourceSecret(jobName), token: credential.token, job });
  try {
    await client.call(target(objects, "create", "secrets"), (apis) => apis.core.createNamespacedSecret({ namespace, body: secret }));
  } catch (error) {
    if (created === undefined && isConflict(error)) return { job, adopted: true };
    if (created !== undefined) await deleteStepJob(objects);
    throw error;
  }
  return { job, adopted: created === undefined };
}

/** Reads an existing step Job with a list request, the verb the provider already holds for watching. */
async function readStepJob(objects: StepObjects): Promise<V1Job> {
  const { client, namespace, jobName } = objects;
  const list = await client.call(target(objects, "list", "jobs"), (apis) => apis.batch.listNamespacedJob({ namespace, fieldSelector: `metadata.name=${jobName}` }));
  const job = list.items[0];
  if (job === undefined) throw new Error(`job ${namespace}/${jobName} already existed when it was created, but it is gone now; run the check again`);
  return job;
}

function isConflict(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.statusCode === 409;
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
    await client.call(target(objects, "delete", "secrets"), (apis) => apis.core.deleteNamespacedSecret({ namespace, name: nameSourceSecret(jobName) }));
  } catch (error) {
    if (!isNotFoundError(error)) logger.warn({ err: error, environment: namespace, secret: nameSourceSecret(jobName) }, "deleting the source secret failed; the Job's deletion removes it");
  }
}
