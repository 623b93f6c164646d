import type { CoreV1Event, V1Job, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "pino";

import type { KubeClient } from "./kube-client.ts";
import { decideStepOutcome, type StepObservation, type StepOutcome } from "./step-outcome.ts";
import { watchObjects, type WatchChange } from "./watch-objects.ts";

/** Label the Job controller puts on a Job's pods. */
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

/** How watching a step ended: with the Job's outcome, on abort, or at the client-side deadline. */
export type StepWatchResult = { kind: "ended"; outcome: StepOutcome } | { kind: "aborted" } | { kind: "deadline" };

/**
 * Watches a step's Job, its pods and its FailedCreate events until {@link decideStepOutcome}
 * returns an outcome, `signal` aborts, or `deadlineMs` passes.
 */
export async function watchStep(options: {
  client: KubeClient;
  namespace: string;
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
  const observation: StepObservation = { job: undefined, pods: [], failedCreate: undefined, timeoutSeconds: options.timeoutSeconds };
  let outcome: StepOutcome | undefined;

  const update = (): void => {
    if (outcome !== undefined) return;
    outcome = decideStepOutcome(observation);
    if (outcome !== undefined) stop.abort();
  };
  const watch = { client, environment: namespace, signal, logger, namespace, jobName, jobUid: options.jobUid };
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
      observation.failedCreate ??= { reason: event.reason ?? "FailedCreate", message: event.message ?? "" };
      update();
    }),
  ]);

  if (outcome?.podStateMissing === true) {
    // The Job's status can arrive before its pod's final state: read the pods once more.
    const pods = await client.call({ environment: namespace, target: { verb: "list", resource: "pods", group: "", namespace } }, (apis) =>
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
      const event = change.type === "LIST" ? change.objects[0] : change.type === "DELETED" ? undefined : change.object;
      if (event !== undefined) onEvent(event);
    },
  });
}

function latestOf<T>(change: WatchChange<T>, current: T | undefined): T | undefined {
  if (change.type === "LIST") return change.objects[0];
  return change.type === "DELETED" ? current : change.object;
}

function applyChange(pods: V1Pod[], change: WatchChange<V1Pod>): V1Pod[] {
  if (change.type === "LIST") return change.objects;
  const name = change.object.metadata?.name;
  const others = pods.filter((pod) => pod.metadata?.name !== name);
  // A deleted pod keeps its last state, which holds the exit code and termination message.
  return [...others, change.object];
}
