import type { V1Job, V1Secret } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";
import { SOURCE_TOKEN_KEY } from "./job-manifest.ts";
import { buildObjectMetadata } from "./object-metadata.ts";

/**
 * Prefix of the name of every step's source-token Secret in an environment namespace. The deploy
 * steps' admission policy (deploy/47-deploy-step-policy.yaml) matches it, so keep the two equal.
 */
export const SOURCE_SECRET_PREFIX = "paddock-source-";

/** Returns the name of the source-token Secret of a step's Job. */
export function nameSourceSecret(jobName: string): string {
  return `${SOURCE_SECRET_PREFIX}${jobName}`;
}

/**
 * Builds the Secret that contains a step's source token. It is owned by the step's Job, so the
 * garbage collector deletes it with the Job even if Paddock stops before deleting it itself.
 */
export function buildSourceSecretManifest(options: { environment: EnvironmentSpec; name: string; token: string; job: V1Job }): V1Secret {
  const { environment, name, token, job } = options;
  const metadata = buildObjectMetadata({ environment, name, namespace: environment.name });
  metadata.ownerReferences = [{ apiVersion: "batch/v1", kind: "Job", name: job.metadata?.name ?? "", uid: job.metadata?.uid ?? "" }];
  return { apiVersion: "v1", kind: "Secret", metadata, type: "Opaque", immutable: true, stringData: { [SOURCE_TOKEN_KEY]: token } };
}
