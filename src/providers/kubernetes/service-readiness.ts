import type { CoreV1Event, V1Deployment, V1Pod } from "@kubernetes/client-node";

import { SERVICE_LABEL } from "./manifests/service-manifests.ts";

/** Events quoted when a service does not become ready. */
export const QUOTED_EVENTS = 5;

/**
 * Returns true once a service's Deployment has rolled out its current spec and its pod is ready:
 * the controller has seen the latest generation, the Available condition is True, and one
 * updated replica is ready.
 */
export function isDeploymentReady(deployment: V1Deployment | undefined): boolean {
  if (deployment === undefined) return false;
  const status = deployment.status;
  const generation = deployment.metadata?.generation ?? 0;
  const available = status?.conditions?.some((condition) => condition.type === "Available" && condition.status === "True") ?? false;
  const replicas = deployment.spec?.replicas ?? 1;
  return (status?.observedGeneration ?? 0) >= generation && available && (status?.readyReplicas ?? 0) >= replicas && (status?.updatedReplicas ?? 0) >= replicas;
}

/**
 * Describes why a service is not ready, from its newest pod's conditions and the last events of
 * its own objects (Deployment, ReplicaSets, pods), which `objectUids` names, such as
 * `pod web-5d8-x2v: phase Running, Ready=False (...); last events: Warning Unhealthy on Pod ...`.
 */
export function describeUnreadyService(options: { service: string; pods: V1Pod[]; events: CoreV1Event[]; objectUids: ReadonlySet<string> }): string {
  const { service, objectUids } = options;
  const pods = options.pods.filter((pod) => pod.metadata?.labels?.[SERVICE_LABEL] === service);
  const pod = [...pods].sort((left, right) => time(right.metadata?.creationTimestamp) - time(left.metadata?.creationTimestamp))[0];
  const podPart = pod === undefined ? "no pod exists" : `pod ${pod.metadata?.name ?? "(unnamed)"}: ${describeConditions(pod)}`;

  const events = options.events
    .filter((event) => objectUids.has(event.involvedObject.uid ?? ""))
    .sort((left, right) => eventTime(left) - eventTime(right) || resourceVersion(left) - resourceVersion(right))
    .slice(-QUOTED_EVENTS)
    .map((event) => `${event.type ?? "Normal"} ${event.reason ?? ""} on ${event.involvedObject.kind ?? ""} ${event.involvedObject.name ?? ""}: ${(event.message ?? "").trim()}`);
  const eventPart = events.length === 0 ? "no events" : `last events: ${events.join("; ")}`;
  return `${podPart}; ${eventPart}`;
}

function describeConditions(pod: V1Pod): string {
  const conditions = pod.status?.conditions ?? [];
  const phase = `phase ${pod.status?.phase ?? "Unknown"}`;
  if (conditions.length === 0) return phase;
  const parts = conditions.map((condition) => {
    const detail = [condition.reason, condition.message].filter((text) => text !== undefined && text !== "").join(": ");
    return `${condition.type}=${condition.status}${detail === "" ? "" : ` (${detail})`}`;
  });
  return `${phase}, ${parts.join(", ")}`;
}

function eventTime(event: CoreV1Event): number {
  return time(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp);
}

// Event times have whole seconds; within one second the stored order is the best guess.
function resourceVersion(event: CoreV1Event): number {
  return Number(event.metadata?.resourceVersion ?? 0) || 0;
}

function time(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}
