import { randomBytes } from "node:crypto";

import type { V1Job } from "@kubernetes/client-node";
import type { Logger } from "pino";

import { isJUnitSummaryText } from "../../pipeline/junit-summary.ts";
import type { StepResult } from "../../pipeline/step-result.ts";
import { formatDuration } from "../local/format-duration.ts";
import type { EnvironmentSpec, StepSpec, TarballCredential } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import { isNotFoundError } from "./kubernetes-api-error.ts";
import { buildStepJobManifest, sanitizeLabelValue, STEP_CONTAINER_NAME } from "./manifests/job-manifest.ts";
import { buildSourceSecretManifest } from "./manifests/source-secret-manifest.ts";
import { readStepLogTail } from "./read-step-log.ts";
import type { StepOutcome } from "./step-outcome.ts";
import { watchStep } from "./watch-step.ts";

/** Seconds the provider waits past a step's timeout for the Job controller to report it, before deleting the Job itself. */
export const DEADLINE_GRACE_SECONDS = 60;
/** Maximum length of the step-name part of a Job name; the rest holds the commit and a random suffix. */
export const JOB_NAME_STEP_PART_LENGTH = 40;

/** Images and options a step's Job is built with. */
export interface StepJobSettings {
  defaultImage: string;
  sourceImage: string;
  ephemeralStorage: string;
  podAnnotations: (step: StepSpec) => Record<string, string>;
}

/**
 * Runs one step as a Job: creates the Job, then the Secret with the source token that the Job
 * owns, and watches until the Job ends, the signal aborts (the Job and its pods are deleted) or the
 * client-side deadline passes. The Secret is deleted as soon as the step ends.
 */
export async function runJobStep(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  sha: string;
  step: StepSpec;
  credential: TarballCredential;
  settings: StepJobSettings;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}): Promise<StepResult> {
  const { client, environment, step, settings, logger } = options;
  const namespace = environment.name;
  const startedAt = new Date();
  const jobName = `${sanitizeLabelValue(step.name).slice(0, JOB_NAME_STEP_PART_LENGTH).replace(/-+$/, "")}-${options.sha.slice(0, 7)}-${randomBytes(3).toString("hex")}`;
  const call = (verb: "create" | "delete", resource: string, group: string, name: string) => ({ environment: namespace, target: { verb, resource, group, namespace, name } });

  // 1. The Job, then its Secret; the source container waits for the Secret to exist.
  const manifest = buildStepJobManifest({
    environment,
    step,
    jobName,
    secretName: jobName,
    sourceUrl: options.credential.url,
    image: step.image ?? settings.defaultImage,
    sourceImage: settings.sourceImage,
    ephemeralStorage: settings.ephemeralStorage,
    podAnnotations: settings.podAnnotations(step),
  });
  const job: V1Job = await client.call(call("create", "jobs", "batch", jobName), (apis) => apis.batch.createNamespacedJob({ namespace, body: manifest }));
  const secret = buildSourceSecretManifest({ environment, name: jobName, token: options.credential.token, job });
  await client.call(call("create", "secrets", "", jobName), (apis) => apis.core.createNamespacedSecret({ namespace, body: secret }));
  logger.info({ environment: namespace, step: step.name, job: jobName }, "step job created");

  // 2. Watch until it ends.
  const watched = await watchStep({
    client,
    namespace,
    jobName,
    jobUid: job.metadata?.uid ?? "",
    timeoutSeconds: step.timeoutSeconds,
    deadlineMs: (step.timeoutSeconds + DEADLINE_GRACE_SECONDS) * 1000,
    signal: options.signal,
    logger,
  });

  // 3. Clean up: the token goes at once; an unfinished Job goes with its pods.
  const deleteSecret = client.call(call("delete", "secrets", "", jobName), (apis) => apis.core.deleteNamespacedSecret({ namespace, name: jobName })).catch((error: unknown) => {
    if (!isNotFoundError(error)) logger.warn({ err: error, environment: namespace, secret: jobName }, "deleting the source secret failed; the Job's deletion removes it");
  });
  if (watched.kind !== "ended") {
    await client.call(call("delete", "jobs", "batch", jobName), (apis) => apis.batch.deleteNamespacedJob({ namespace, name: jobName, propagationPolicy: "Background" }));
  }
  await deleteSecret;

  const base = { name: step.name, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() };
  if (watched.kind === "aborted") {
    return { ...base, status: "cancelled", exitCode: null, outputTail: "", outputTruncated: false, reason: `cancelled: ${describeAbort(options.signal)}` };
  }
  if (watched.kind === "deadline") {
    const reason = `timed out after ${formatDuration(step.timeoutSeconds)}; the Job reported no end ${DEADLINE_GRACE_SECONDS} s later, so it was deleted`;
    return { ...base, status: "timed_out", exitCode: null, outputTail: "", outputTruncated: false, reason };
  }
  return completeResult({ client, namespace, step, base, outcome: watched.outcome, logger });
}

async function completeResult(options: {
  client: KubeClient;
  namespace: string;
  step: StepSpec;
  base: Pick<StepResult, "name" | "startedAt" | "durationMs">;
  outcome: StepOutcome;
  logger: Pick<Logger, "warn">;
}): Promise<StepResult> {
  const { client, namespace, step, outcome } = options;
  const podName = outcome.pod?.metadata?.name;
  const tail = podName === undefined
    ? { text: "Log unavailable: the step's pod was never created.", truncated: false }
    : await readStepLogTail({ client, namespace, podName, container: STEP_CONTAINER_NAME });

  const result: StepResult = { ...options.base, status: outcome.status, exitCode: outcome.exitCode, outputTail: tail.text, outputTruncated: tail.truncated };
  const problems = outcome.reason === undefined ? [] : [outcome.reason];
  const message = outcome.terminationMessage?.trim() ?? "";
  if (step.junitPath !== undefined && isJUnitSummaryText(message)) {
    result.report = { format: "junit-summary", path: step.junitPath, content: message };
  } else {
    if (step.junitPath !== undefined) problems.push(`no JUnit summary for ${step.junitPath} in the termination message`);
    if (message !== "" && outcome.status !== "success") problems.push(`termination message: ${message}`);
  }
  if (problems.length > 0) result.reason = problems.join("; ");
  return result;
}

function describeAbort(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : "the run was aborted";
}
