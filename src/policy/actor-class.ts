/** The classes of actor Paddock distinguishes; each has its own profile in the org policy. */
export const ACTOR_CLASSES = ["human", "agent", "fork"] as const;

/** A human developer, an AI coding agent, or a contributor from a fork. */
export type ActorClass = (typeof ACTOR_CLASSES)[number];

/** Evidence that identified the class, strongest first. Commit trailers never appear here, because they only hint. */
export type ClassificationBasis = "fork" | "identity" | "branch-pattern" | "default";

/** The actor behind an event and the evidence for its class. */
export interface ActorClassification {
  actorClass: ActorClass;
  login: string;
  basis: ClassificationBasis;
  /** Name of the matched agent, such as `copilot`; set when basis is `identity` or `branch-pattern`. */
  agent?: string;
  /** Signals recorded but not trusted alone, such as a `Co-authored-by: Claude` trailer. */
  hints: string[];
}

/** Approval levels, weakest first: who must approve an environment before it runs. */
export const APPROVAL_LEVELS = ["none", "write", "maintain", "admin"] as const;

/** `none` runs without approval; the others name the repository permission an approver needs. */
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];

/** Returns the stricter of two approval levels. */
export function stricterApproval(left: ApprovalLevel, right: ApprovalLevel): ApprovalLevel {
  return APPROVAL_LEVELS.indexOf(left) >= APPROVAL_LEVELS.indexOf(right) ? left : right;
}
