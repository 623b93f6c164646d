import { APPROVAL_LEVELS, type ActorClass, type ActorClassification, type ApprovalLevel } from "./actor-class.ts";
import type { EffectiveSettings } from "./merge-settings.ts";
import type { GrantedApproval } from "./policy-decision.ts";

/** Repository roles as GitHub names them, weakest first. */
export const REPOSITORY_ROLES = ["none", "read", "triage", "write", "maintain", "admin"] as const;

/** Returns whether a repository role meets an approval level (`maintain` meets `write`, `triage` meets nothing). */
export function roleMeetsLevel(role: string, level: ApprovalLevel): boolean {
  if (level === "none") return true;
  const rank = REPOSITORY_ROLES.indexOf(role as (typeof REPOSITORY_ROLES)[number]);
  return rank !== -1 && rank >= REPOSITORY_ROLES.indexOf(level);
}

/** Describes how the actor was classified, with the hints that were recorded but not trusted. */
export function describeActor(actor: ActorClassification): string {
  const basis = {
    fork: "the pull request comes from a fork",
    identity: `bot identity of the ${actor.agent} agent`,
    "branch-pattern": `branch pattern of the ${actor.agent} agent`,
    default: "no agent identity or agent branch pattern matched",
  }[actor.basis];
  const hints = actor.hints.length > 0 ? `; hints recorded, not trusted alone: ${actor.hints.join(", ")}` : "";
  return `actor ${actor.login} is judged as ${actor.actorClass} (${basis})${hints}`;
}

/** Says what approval is missing, or returns undefined when none is needed or it was given. */
export function describeApprovalGap(options: { level: ApprovalLevel; approval: GrantedApproval | undefined; actorClass: ActorClass }): string | undefined {
  const { level, approval, actorClass } = options;
  if (level === "none") return undefined;
  if (approval && roleMeetsLevel(approval.permission, level)) return undefined;
  const needed = `someone with ${level} permission or more (${APPROVAL_LEVELS.slice(APPROVAL_LEVELS.indexOf(level)).join(", ")})`;
  return `${actorClass} environments run only after ${needed} approves this head commit`;
}

/** Summarizes the settings an allowed environment gets. */
export function describeEffective(effective: EffectiveSettings, projectedCost: string): string {
  const egress = effective.egress.length === 0 ? "no network" : `egress to ${effective.egress.join(", ")}`;
  const secrets = effective.secrets ? "secrets mounted" : "no secrets";
  return `allowed under the ${effective.actorClass} profile: cpu ${effective.resources.cpu}, memory ${effective.resources.memory}, ttl ${effective.ttl}, ${egress}, ${secrets}, budget projection (whole TTL) ${projectedCost}`;
}
