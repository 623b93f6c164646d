import type { CoreV1Event, V1Job, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";

import type { KubeClient } from "./kube-client.ts";
import { decideStepOutcome, type StepObservation, type StepOutcome } from "./step-outcome.ts";
import { watchObjects, type WatchChange } from "./watch-objects.ts";

/** Label the Job controller puts on a Job's pods. */
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
/**
 * Maximum time a step waits when its pod exceeds the quota while other pods of the namespace are
 * still terminating, such as the pod of a step that was just cancelled. Their quota comes back
 * when they are gone, and the Job controller keeps retrying until then.
 * NOTE: kwok ends a deleted pod at once, so the cluster tests never reach this wait.
 */
export const QUOTA_RETRY_GRACE_MS = 45_000;

/** Result of watching a step: the Job's outcome, an abort, or the client-side deadline. */
export type StepWatchResult = { kind: "ended"; outcome: StepOutcome } | { kind: "aborted" } | { kind: "deadline" };

/**
 * Watches a step's Job, its pods and its FailedCreate events until {@link decideStepOutcome}
 * returns an outcome, `signal` aborts, or `deadlineMs` passes.
 */
export async function watchStep(options: {
  client: KubeClient;
  /** Environment the requests are counted for; the namespace when unset. */
  environment?: string;
  namespace: string;
  /** Container whose end decides the outcome; the step container when unset. */
  mainContainer?: string;
  jobName: string;
  jobUid: string;
  timeoutSeconds: number;
  deadlineMs: number;
  signal: AbortSignal;
  logger: Pick<Logger, "warn">;
}): Promise<StepWatchResult> {
  const { client, namespace, jobName, logger } = options;
  const stop = new AbortController();
  const deadline = AbortSignal.timeout(options.deadlineMs);
  const signal = AbortSignal.any([stop.signal, deadline, options.signal]);
  const environment = options.environment ?? namespace;
  const observation: StepObservation = { job: undefined, pods: [], failedCreate: undefined, timeoutSeconds: options.timeoutSeconds };
  if (options.mainContainer !== undefined) observation.mainContainer = options.mainContainer;
  let outcome: StepOutcome | undefined;
  let pendingFailure: Promise<void> | undefined;
  let graceTimer: NodeJS.Timeout | undefined;

  // Resolves at once, or after QUOTA_RETRY_GRACE_MS while terminating pods hold the quota.
  const acceptFailedCreate = async (watch: StepWatch, failure: { message: string }): Promise<void> => {
    if (!failure.message.includes("exceeded quota") || !(await hasTerminatingPods(watch))) return;
    logger.warn({ environment: namespace, job: jobName }, "step pod exceeds the quota while other pods terminate; waiting for them");
    await new Promise<void>((resolve) => {
      graceTimer = setTimeout(resolve, QUOTA_RETRY_GRACE_MS);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  };

  const update = (): void => {
    if (outcome !== undefined) return;
    outcome = decideStepOutcome(observation);
    if (outcome !== undefined) stop.abort();
  };
  const watch = { client, environment, signal, logger, namespace, jobName, jobUid: options.jobUid };
  await Promise.all([
    watchJob(watch, (job) => {
      observation.job = job;
      update();
    }),
    watchPods(watch, (change) => {
      observation.pods = applyChange(observation.pods, change);
      update();
    }),
    watchFailedCreate(watch, (event) => {
      if (observation.failedCreate !== undefined || pendingFailure !== undefined) return;
      const failure = { reason: event.reason ?? "FailedCreate", message: event.message ?? "" };
      pendingFailure = acceptFailedCreate(watch, failure)
        .catch((error: unknown) => logger.warn({ err: error, environment: namespace, job: jobName }, "listing terminating pods failed; taking the quota rejection as final"))
        .then(() => {
          if (signal.aborted) return;
          observation.failedCreate = failure;
          update();
        });
    }),
  ]);
  clearTimeout(graceTimer);

  if (outcome?.podStateMissing === true) {
    // The Job's status can arrive before its pod's final state: read the pods once more.
    const pods = await client.call({ environment, target: { verb: "list", resource: "pods", group: "", namespace } }, (apis) =>
      apis.core.listNamespacedPod({ namespace, labelSelector: `${JOB_NAME_LABEL}=${jobName}` }),
    );
    outcome = decideStepOutcome({ ...observation, pods: pods.items }) ?? outcome;
  }
  if (outcome !== undefined) return { kind: "ended", outcome };
  if (options.signal.aborted) return { kind: "aborted" };
  return { kind: "deadline" };
}

interface StepWatch {
  client: KubeClient;
  environment: string;
  namespace: string;
  jobName: string;
  jobUid: string;
  signal: AbortSignal;
  logger: Pick<Logger, "warn">;
}

function watchJob(watch: StepWatch, onJob: (job: V1Job | undefined) => void): Promise<void> {
  const { namespace, jobName } = watch;
  let current: V1Job | undefined;
  return watchObjects<V1Job>({
    ...watch,
    target: { resource: "jobs", group: "batch", namespace },
    typeName: "V1Job",
    path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
    fieldSelector: `metadata.name=${jobName}`,
    list: (apis) => apis.batch.listNamespacedJob({ namespace, fieldSelector: `metadata.name=${jobName}` }),
    onChange: (change) => onJob((current = latestOf(change, current))),
  });
}

function watchPods(watch: StepWatch, onChange: (change: WatchChange<V1Pod>) => void): Promise<void> {
  const { namespace, jobName } = watch;
  return watchObjects<V1Pod>({
    ...watch,
    target: { resource: "pods", group: "", namespace },
    typeName: "V1Pod",
    path: `/api/v1/namespaces/${namespace}/pods`,
    labelSelector: `${JOB_NAME_LABEL}=${jobName}`,
    list: (apis) => apis.core.listNamespacedPod({ namespace, labelSelector: `${JOB_NAME_LABEL}=${jobName}` }),
    onChange,
  });
}

/** Watches the Job's FailedCreate events, which the Job controller records when the API server rejects its pod. */
function watchFailedCreate(watch: StepWatch, onEvent: (event: CoreV1Event) => void): Promise<void> {
  const { namespace } = watch;
  const fieldSelector = `involvedObject.uid=${watch.jobUid},reason=FailedCreate`;
  return watchObjects<CoreV1Event>({
    ...watch,
    target: { resource: "events", group: "", namespace },
    typeName: "CoreV1Event",
    path: `/api/v1/namespaces/${namespace}/events`,
    fieldSelector,
    list: (apis) => apis.core.listNamespacedEvent({ namespace, fieldSelector }),
    onChange: (change) => {
      if (change.type === "DELETED") return;
      const event = change.type === "LIST" ? change.objects[0] : change.object;
      if (event !== undefined) onEvent(event);
    },
  });
}

/** Returns true when a pod of the namespace is being deleted but has not finished, so it still counts against the quota. */
async function hasTerminatingPods(watch: StepWatch): Promise<boolean> {
  const { client, environment, namespace } = watch;
  const pods = await client.call({ environment, target: { verb: "list", resource: "pods", group: "", namespace } }, (apis) => apis.core.listNamespacedPod({ namespace }));
  return pods.items.some((pod) => pod.metadata?.deletionTimestamp !== undefined && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed");
}

function latestOf<T>(change: WatchChange<T>, current: T | undefined): T | undefined {
  if (change.type === "LIST") return change.objects[0];
  return change.type === "DELETED" ? current : change.object;
}

function applyChange(pods: V1Pod[], change: WatchChange<V1Pod>): V1Pod[] {
  if (change.type === "LIST") return change.objects;
  const name = change.object.metadata?.name;
  const others = pods.filter((pod) => pod.metadata?.name !== name);
  // A deleted pod keeps its last state, which contains the exit code and termination message.
  return [...others, change.object];
}
