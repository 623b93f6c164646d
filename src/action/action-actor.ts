import type { PendingAuditRecord } from "../audit/audit-record-schema.ts";
import { actorEvidence } from "../environments/plan-environment.ts";
import type { ActorClassification } from "../policy/actor-class.ts";
import { classifyActor } from "../policy/classify-actor.ts";
import type { OrgPolicy } from "../policy/org-policy-schema.ts";
import type { AuditedEvent } from "../service/audited-run.ts";
import type { ActionEvent } from "./read-action-event.ts";

/**
 * Returns the event as planning and audit records read it, for commit `sha`. A branch run
 * names no head repository, so the fork rule never applies to it.
 */
export function toAuditedEvent(event: ActionEvent, sha: string): AuditedEvent {
  const { repository, sender, deliveryId } = event;
  if (event.pullRequest === null) return { repository, sender, deliveryId, pullRequest: { number: null, headSha: sha, headRef: event.branch } };
  return {
    repository,
    sender,
    deliveryId,
    pullRequest: { number: event.pullRequest, headSha: sha, headRef: event.branch, headRepositoryFullName: event.headRepositoryFullName ?? null },
  };
}

/** Classifies the workflow's actor with the app's rules and the policy's agent list. */
export function classifyActionActor(options: { event: ActionEvent; policy: OrgPolicy }): ActorClassification {
  const { event, policy } = options;
  return classifyActor({ evidence: actorEvidence(toAuditedEvent(event, event.headSha ?? "")), agents: policy.agents });
}

/** Builds the `agent` field of audit records: the agent's name and what identified it; null for a person. */
export function describeAgent(options: { actor: ActorClassification; branch: string }): PendingAuditRecord["agent"] {
  const { actor, branch } = options;
  if (actor.actorClass !== "agent") return null;
  const signal = actor.basis === "identity" ? `login ${actor.login}` : `branch ${branch}`;
  return { app: actor.agent ?? "unknown agent", signals: [signal, ...actor.hints] };
}
