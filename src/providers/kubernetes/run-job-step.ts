import { createHash, randomBytes } from "node:crypto";

import type { Logger } from "pino";

import { isJUnitSummaryText } from "../../pipeline/junit-summary.ts";
import type { StepResult } from "../../pipeline/step-result.ts";
import { formatDuration } from "../local/format-duration.ts";
import { DetachError, type EnvironmentSpec, type StepSpec, type TarballCredential } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import { sanitizeLabelValue, STEP_CONTAINER_NAME } from "./manifests/job-manifest.ts";
import { readStepLogTail } from "./read-step-log.ts";
import { createStepObjects, deleteSourceSecret, deleteStepJob, type StepJobSettings, type StepObjects } from "./step-job-objects.ts";
import type { StepOutcome } from "./step-outcome.ts";
import { startUsageSampler, type SamplingResult } from "./usage-sampler.ts";
import type { MetricsApiState } from "./pod-metrics.ts";
import { JOB_NAME_LABEL, watchStep } from "./watch-step.ts";

/** Seconds the provider waits past a step's timeout for the Job controller to report it, before deleting the Job itself. */
export const DEADLINE_GRACE_SECONDS = 60;
/** Maximum length of the step-name part of a Job name; the rest is the short commit and a suffix of the run. */
export const JOB_NAME_STEP_PART_LENGTH = 40;

/** Settings for sampling a step's usage from the metrics API; the intervals default to the sampler's. */
export interface StepMetering {
  metricsApi: () => Promise<MetricsApiState>;
  intervalMs?: number;
  firstDelayMs?: number;
}

/**
 * Runs one step as a Job: creates the Job and the Secret with its source token, and watches until
 * the Job ends, the signal aborts (the Job and its pods are deleted) or the client-side deadline
 * passes. The Secret is deleted as soon as the step ends. With a `runId` the Job's name is fixed
 * by the run and the step, so a Job that another process created for the same run is adopted
 * and watched instead of started again. An abort whose reason is a DetachError leaves the Job
 * and its Secret running for another process to adopt.
 */
export async function runJobStep(options: {
  client: KubeClient;
  environment: EnvironmentSpec;
  sha: string;
  runId?: string | undefined;
  step: StepSpec;
  credential: TarballCredential;
  settings: StepJobSettings;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
  metering?: StepMetering;
}): Promise<StepResult> {
  const { client, environment, step, logger, signal } = options;
  const namespace = environment.name;
  let startedAt = new Date();
  const elapsed = () => ({ name: step.name, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() });
  if (signal.aborted) return { ...elapsed(), ...cancelled(signal) };

  // 1. The Job and its Secret.
  const objects: StepObjects = { client, namespace, jobName: nameStepJob(step, options.sha, options.runId) };
  const { job, adopted } = await createStepObjects(objects, options);
  // An adopted step started when the other process created its Job, so its duration and cost count from there.
  if (adopted && job.metadata?.creationTimestamp) startedAt = new Date(job.metadata.creationTimestamp);
  logger.info({ environment: namespace, step: step.name, job: objects.jobName, adopted }, adopted ? "step job adopted" : "step job created");

  // 2. Watch until it ends, sampling the pod's usage meanwhile.
  const sampler = options.metering
    ? startUsageSampler({
        client,
        metricsApi: options.metering.metricsApi(),
        namespace,
        labelSelector: `${JOB_NAME_LABEL}=${objects.jobName}`,
        container: STEP_CONTAINER_NAME,
        ...(options.metering.intervalMs === undefined ? {} : { intervalMs: options.metering.intervalMs }),
        ...(options.metering.firstDelayMs === undefined ? {} : { firstDelayMs: options.metering.firstDelayMs }),
        logger,
      })
    : undefined;
  const deadlineMs = (step.timeoutSeconds + DEADLINE_GRACE_SECONDS) * 1000;
  const watched = await watchStep({ client, namespace, jobName: objects.jobName, jobUid: job.metadata?.uid ?? "", timeoutSeconds: step.timeoutSeconds, deadlineMs, signal, logger });
  const sampled = await sampler?.stop();

  // 3. Clean up: the token goes at once; an unfinished Job goes with its pods. A detached step keeps both.
  const detached = watched.kind === "aborted" && signal.reason instanceof DetachError;
  if (!detached) await Promise.all([deleteSourceSecret(objects, logger), watched.kind === "ended" ? undefined : deleteStepJob(objects)]);

  if (watched.kind === "aborted") return withUsage({ ...elapsed(), ...cancelled(signal) }, sampled);
  if (watched.kind === "deadline") {
    const reason = `timed out after ${formatDuration(step.timeoutSeconds)}; the Job reported no end ${DEADLINE_GRACE_SECONDS} s later, so it was deleted`;
    return withUsage({ ...elapsed(), status: "timed_out", exitCode: null, outputTail: "", outputTruncated: false, reason }, sampled);
  }
  return withUsage(await completeResult({ client, namespace, step, base: elapsed(), outcome: watched.outcome, logger }), sampled);
}

/**
 * Adds sampled usage to a result: the peak CPU rate over the whole wall time, and the peak
 * memory in place of the average, as with the local provider.
 */
function withUsage(result: StepResult, sampled: SamplingResult | undefined): StepResult {
  if (sampled === undefined) return result;
  if ("gap" in sampled) return { ...result, usageGap: sampled.gap };
  const { peakCpuMillis, peakMemoryBytes, samples } = sampled.usage;
  const cpuSeconds = (peakCpuMillis / 1000) * (result.durationMs / 1000);
  return { ...result, usage: { cpuSeconds, peakMemoryBytes, source: "metrics-api", samples } };
}

/**
 * Names a step's Job: the step name cut to fit, the short commit and a 6-character suffix, at
 * most 63 characters. The suffix is a hash of the run and the full step name when a run is given,
 * so the same step of the same run always gets the same name, and random otherwise.
 */
export function nameStepJob(step: StepSpec, sha: string, runId?: string): string {
  const readable = sanitizeLabelValue(step.name).slice(0, JOB_NAME_STEP_PART_LENGTH).replace(/-+$/, "");
  const suffix = runId === undefined ? randomBytes(3).toString("hex") : createHash("sha256").update(`${runId}\n${step.name}`).digest("hex").slice(0, 6);
  return `${readable}-${sha.slice(0, 7)}-${suffix}`;
}

function cancelled(signal: AbortSignal): Pick<StepResult, "status" | "exitCode" | "outputTail" | "outputTruncated" | "reason"> {
  return { status: "cancelled", exitCode: null, outputTail: "", outputTruncated: false, reason: `cancelled: ${describeAbort(signal)}` };
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
