import type { ActorClassification } from "./actor-class.ts";
import type { EffectiveSettings } from "./merge-settings.ts";
import type { PolicySource } from "./org-policy-schema.ts";

/** allowed: run; denied: never runs for this commit; approval_required: runs once someone approves. */
export type PolicyVerdict = "allowed" | "denied" | "approval_required";

/** Position of a value in a YAML file, for check-run annotations. */
export interface FileLocation {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, such as `environment.resources.cpu`. */
  field: string;
}

/** Finds the 1-based line and column of the value at a path in the file it belongs to. */
export type Locator = (path: readonly (string | number)[]) => { line: number; column: number };

/** One rule an environment breaks. */
export interface PolicyViolation {
  /** The org (or repository) rule, such as `profiles.agent.resources.cpu`. */
  rule: string;
  message: string;
  /** The repository-config line that requests too much, when one does. */
  location?: FileLocation;
}

/** Live environments and spend that count against an actor's caps, read from Paddock's records. */
export interface EnvironmentUsage {
  /** Live environments, not counting the one being decided; undefined when the provider cannot list them. */
  live?: { inRepository: number; forActor: number };
  /** Spend recorded today (UTC) in nano-units of the price table's currency; undefined without a ledger. */
  spentToday?: { repositoryNanos: bigint; actorClassNanos: bigint };
}

/** An approval given for one head commit. */
export interface GrantedApproval {
  login: string;
  /** The approver's repository role as GitHub reports it: read, triage, write, maintain or admin. */
  permission: string;
}

/** Projected cost of an environment over its TTL, as JSON-safe strings. */
export interface ProjectedCost {
  currency: string;
  /** Nano-units (1e-9) of `currency`, as a decimal string. */
  nanos: string;
  /** For people: `1.2345 USD`. */
  display: string;
}

/** Whether an environment may be created, under which settings, and every reason that decided it. */
export interface PolicyDecision {
  allowed: boolean;
  verdict: PolicyVerdict;
  reasons: string[];
  violations: PolicyViolation[];
  actor: ActorClassification;
  effective: EffectiveSettings;
  cost?: ProjectedCost;
  source: PolicySource;
  /** The approval an allowed decision relied on, when the actor's profile required one. */
  approval?: GrantedApproval;
}
