import type { V1ContainerStateTerminated, V1Job, V1Pod } from "@kubernetes/client-node";

import { formatDuration } from "../local/format-duration.ts";
import { SOURCE_CONTAINER_NAME, STEP_CONTAINER_NAME } from "./manifests/job-manifest.ts";

/** State of a step's Job, its pods and its events, as the watches last saw them. */
export interface StepObservation {
  job: V1Job | undefined;
  pods: V1Pod[];
  /** The first FailedCreate event of the Job: why its pod could not be created. */
  failedCreate: { reason: string; message: string } | undefined;
  timeoutSeconds: number;
  /** Container whose end decides the outcome; the step container when unset. */
  mainContainer?: string;
}

/** End state of a step's Job. When `podStateMissing` is true, the caller reads the pods again before using it. */
export interface StepOutcome {
  status: "success" | "failure" | "timed_out";
  exitCode: number | null;
  reason?: string;
  /** The step container's termination message, as written. */
  terminationMessage?: string;
  /** The Job's Failed condition, such as BackoffLimitExceeded, when the Job failed. */
  jobFailure?: { reason: string; message: string };
  pod?: V1Pod;
  podStateMissing: boolean;
}

/**
 * Decides whether a step's Job has ended and how, or returns undefined while it runs. A Job ends
 * on its Complete or Failed condition; `DeadlineExceeded` means a timeout. A FailedCreate event
 * while no pod exists ends the step too: steps of one environment run one at a time, so a quota
 * or Pod Security rejection will not clear by waiting. The caller passes a quota rejection on only
 * once no other pod is terminating.
 */
export function decideStepOutcome(observation: StepObservation): StepOutcome | undefined {
  const { job, pods } = observation;
  const pod = newestPod(pods);
  const main = observation.mainContainer ?? STEP_CONTAINER_NAME;
  const step = findTerminated(pod, main);

  if (hasCondition(job, "Complete")) {
    return { status: "success", exitCode: step?.exitCode ?? 0, ...messageOf(step), ...podOf(pod), podStateMissing: step === undefined };
  }

  const failed = job?.status?.conditions?.find((condition) => condition.type === "Failed" && condition.status === "True");
  if (failed?.reason === "DeadlineExceeded") {
    const reason = `timed out after ${formatDuration(observation.timeoutSeconds)}`;
    return { status: "timed_out", exitCode: step?.exitCode ?? null, reason, ...messageOf(step), ...podOf(pod), podStateMissing: false };
  }
  if (failed !== undefined) {
    const jobFailure = { reason: failed.reason ?? "", message: failed.message ?? "" };
    return { ...describeFailedPod(pod, failed.message ?? failed.reason ?? "the Job failed", main), jobFailure };
  }

  if (observation.failedCreate !== undefined && pods.length === 0) {
    const { reason, message } = observation.failedCreate;
    return { status: "failure", exitCode: null, reason: `the step's pod could not be created (${reason}): ${message}`, podStateMissing: false };
  }
  return undefined;
}

function describeFailedPod(pod: V1Pod | undefined, jobMessage: string, main: string): StepOutcome {
  const source = findTerminated(pod, SOURCE_CONTAINER_NAME, "init");
  if (source !== undefined && source.exitCode !== 0) {
    const detail = source.message?.trim() ? `: ${source.message.trim()}` : "";
    return { status: "failure", exitCode: null, reason: `fetching the source failed with exit code ${source.exitCode}${detail}`, ...podOf(pod), podStateMissing: false };
  }
  const step = findTerminated(pod, main);
  if (step === undefined) return { status: "failure", exitCode: null, reason: jobMessage, ...podOf(pod), podStateMissing: true };
  const reason = step.reason === "OOMKilled" ? "killed: out of memory" : `exited with code ${step.exitCode}`;
  return { status: "failure", exitCode: step.exitCode, reason, ...messageOf(step), ...podOf(pod), podStateMissing: false };
}

function hasCondition(job: V1Job | undefined, type: string): boolean {
  return job?.status?.conditions?.some((condition) => condition.type === type && condition.status === "True") ?? false;
}

function newestPod(pods: V1Pod[]): V1Pod | undefined {
  const time = (pod: V1Pod): number => pod.metadata?.creationTimestamp?.getTime() ?? 0;
  return [...pods].sort((left, right) => time(right) - time(left))[0];
}

function findTerminated(pod: V1Pod | undefined, name: string, kind: "main" | "init" = "main"): V1ContainerStateTerminated | undefined {
  const statuses = kind === "main" ? pod?.status?.containerStatuses : pod?.status?.initContainerStatuses;
  return statuses?.find((status) => status.name === name)?.state?.terminated;
}

function messageOf(terminated: V1ContainerStateTerminated | undefined): { terminationMessage?: string } {
  return terminated?.message === undefined ? {} : { terminationMessage: terminated.message };
}

function podOf(pod: V1Pod | undefined): { pod?: V1Pod } {
  return pod === undefined ? {} : { pod };
}
