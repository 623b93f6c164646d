import type { CheckRunAction, DecisionView } from "../checks/check-run-view.ts";
import { describePolicySource } from "./org-policy-schema.ts";
import type { PolicyDecision } from "./policy-decision.ts";

/** Label that approves a pull request's head commit, as an alternative to the check-run button. */
export const APPROVE_LABEL = "paddock:approve";
/** Prefix of the approval button's identifier; the pull request number follows. */
export const APPROVE_ACTION_PREFIX = "approve:";

/** Turns a decision into what the check run shows: verdict, reasons, source and located violations. */
export function toDecisionView(decision: PolicyDecision): DecisionView {
  const violations = decision.violations.flatMap((violation) =>
    violation.location ? [{ ...violation.location, rule: violation.rule, message: violation.message }] : [],
  );
  return {
    allowed: decision.allowed,
    verdict: decision.verdict,
    reasons: decision.reasons,
    source: describePolicySource(decision.source),
    violations,
    ...(decision.cost ? { budgetProjection: decision.cost } : {}),
  };
}

/** Builds the button that approves one pull request's head commit. */
export function approveAction(pullRequest: number): CheckRunAction {
  return { label: "Approve and run", description: "Run this commit in a Paddock environment", identifier: `${APPROVE_ACTION_PREFIX}${pullRequest}` };
}
