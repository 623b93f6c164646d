import { formatCost } from "../cost/format-cost.ts";
import { parsePriceMicros } from "../cost/price-table.ts";
import type { ActorClass } from "./actor-class.ts";
import type { BudgetPolicy } from "./budget-schema.ts";
import type { EffectiveSettings } from "./merge-settings.ts";
import type { EnvironmentUsage } from "./policy-decision.ts";

const NANOS_PER_MICRO = 1_000n;

/** A cap that usage would break. */
export interface UsageViolation {
  rule: string;
  message: string;
}

/** Judges the live-environment caps: a new environment must fit under both. */
export function judgeConcurrency(options: { live: NonNullable<EnvironmentUsage["live"]>; effective: EffectiveSettings; login: string }): UsageViolation[] {
  const { live, effective, login } = options;
  const violations: UsageViolation[] = [];
  const rule = (field: string) => `profiles.${effective.actorClass}.concurrency.${field}`;
  if (live.inRepository >= effective.concurrency.perRepository) {
    violations.push({
      rule: rule("perRepository"),
      message: `${live.inRepository} environments are already live in this repository and ${rule("perRepository")} allows ${effective.concurrency.perRepository}`,
    });
  }
  if (live.forActor >= effective.concurrency.perActor) {
    violations.push({
      rule: rule("perActor"),
      message: `${login} already has ${live.forActor} live environments in this repository and ${rule("perActor")} allows ${effective.concurrency.perActor}`,
    });
  }
  return violations;
}

/**
 * Judges the daily budgets: the projected cost must fit in what is left of the repository's
 * budget and of the actor class's budget. Amounts are exact nano-units; the message shows
 * each number rounded for reading.
 */
export function judgeBudgets(options: {
  budgets: BudgetPolicy;
  actorClass: ActorClass;
  spent: { repositoryNanos: bigint; actorClassNanos: bigint };
  projectedNanos: bigint;
}): UsageViolation[] {
  const { budgets, actorClass, spent, projectedNanos } = options;
  const checks = [
    { rule: "budgets.daily.repository", amount: budgets.daily.repository, spentNanos: spent.repositoryNanos, scope: "this repository" },
    { rule: `budgets.daily.actorClass.${actorClass}`, amount: budgets.daily.actorClass?.[actorClass], spentNanos: spent.actorClassNanos, scope: `${actorClass} environments in this repository` },
  ];
  const violations: UsageViolation[] = [];
  for (const check of checks) {
    if (check.amount === undefined) continue;
    const budgetNanos = parsePriceMicros(check.amount) * NANOS_PER_MICRO;
    const leftNanos = budgetNanos > check.spentNanos ? budgetNanos - check.spentNanos : 0n;
    if (projectedNanos <= leftNanos) continue;
    const show = (nanos: bigint) => formatCost({ nanos, currency: budgets.currency });
    violations.push({
      rule: check.rule,
      message: `budget projection (whole TTL) ${show(projectedNanos)} exceeds what is left of ${check.rule} ${show(budgetNanos)}: ${show(check.spentNanos)} spent today by ${check.scope}, ${show(leftNanos)} left`,
    });
  }
  return violations;
}
