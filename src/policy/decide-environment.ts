import type { RepoEnvironment, StepConfig } from "../config/repo-config-schema.ts";
import { resolvePriceTable } from "../cost/price-table.ts";
import type { ActorClassification } from "./actor-class.ts";
import { describeActor, describeApprovalGap, describeEffective } from "./describe-decision.ts";
import { externalServiceImages, judgeStack, type StackConfig } from "./judge-stack.ts";
import { judgeStepImages } from "./judge-step-images.ts";
import { judgeBudgets, judgeConcurrency } from "./judge-usage.ts";
import { mergeSettings, type EffectiveSettings } from "./merge-settings.ts";
import { describePolicySource, type OrgPolicy, type PolicySource } from "./org-policy-schema.ts";
import type { EnvironmentUsage, GrantedApproval, Locator, PolicyDecision, PolicyViolation } from "./policy-decision.ts";
import { resolveProfile } from "./profile-schema.ts";
import { projectEnvironmentCost } from "./project-cost.ts";

/** A repository config file's parsed content and a way to locate its fields. */
export interface LocatedConfig<T> {
  value: T;
  file: string;
  locate: Locator;
}

/**
 * Judges an environment in three steps. First, settings (from the default branch) and step
 * images (from the head commit) are checked against the actor's profile merged with the
 * repository's settings. Then live environments and spend are checked against the caps and
 * budgets, and last the approval. Every violation becomes a reason that names the rule, and
 * nothing is clamped. Usage left undefined is reported as unchecked.
 */
export function decideEnvironment(options: {
  policy: OrgPolicy;
  source: PolicySource;
  actor: ActorClassification;
  settings?: LocatedConfig<RepoEnvironment | undefined>;
  steps?: LocatedConfig<readonly StepConfig[]>;
  /** Images, services and expose from the head commit, judged like steps. */
  stack?: LocatedConfig<StackConfig>;
  usage?: EnvironmentUsage;
  approval?: GrantedApproval;
  /** The provider's cluster, which picks the org policy's price table for the projection. */
  cluster?: string;
}): PolicyDecision {
  const { policy, source, actor, usage } = options;
  const origin = describePolicySource(source);

  // 1. Profile and repository settings, merged tightening only.
  const { effective, violations } = judgeSettings(options);

  // 2. Live environments and budgets.
  const prices = resolvePriceTable({ policy: policy.cost, ...(options.cluster ? { cluster: options.cluster } : {}) });
  const projected = projectEnvironmentCost({ resources: effective.resources, ttlSeconds: effective.ttlSeconds, services: options.stack?.value.services?.length ?? 0, prices });
  const notes: string[] = [];
  if (usage?.live) violations.push(...judgeConcurrency({ live: usage.live, effective, login: actor.login }));
  else notes.push("concurrency caps were not checked, because no list of live environments was available");
  if (policy.budgets && usage?.spentToday) {
    violations.push(...judgeBudgets({ budgets: policy.budgets, actorClass: actor.actorClass, spent: usage.spentToday, projectedNanos: projected.nanos }));
  } else if (policy.budgets) {
    notes.push("budgets were not checked, because no spend records were available");
  }

  // 3. Verdict.
  const base = { actor, effective, cost: projected.view, source, violations };
  const context = [describeActor(actor), ...notes];
  if (violations.length > 0) {
    return { ...base, allowed: false, verdict: "denied", reasons: [...violations.map((violation) => `${violation.message} (${origin})`), ...context] };
  }
  const gap = describeApprovalGap({ level: effective.approval, approval: options.approval, actorClass: actor.actorClass });
  if (gap) return { ...base, allowed: false, verdict: "approval_required", reasons: [`${gap} (${origin})`, ...context] };
  const approval = options.approval && effective.approval !== "none" ? { approval: options.approval } : {};
  return { ...base, ...approval, allowed: true, verdict: "allowed", reasons: [`${describeEffective(effective, projected.view.display)} (${origin})`, ...context] };
}

function judgeSettings(options: Parameters<typeof decideEnvironment>[0]): { effective: EffectiveSettings; violations: PolicyViolation[] } {
  const { policy, actor, settings, steps, stack } = options;
  const violations: PolicyViolation[] = [];
  let repo = settings?.value;
  if (repo !== undefined && policy.repoSettings === "forbid") {
    violations.push(locate(settings, { path: ["environment"], rule: "repoSettings", message: "the environment section is not allowed, because repoSettings is forbid: remove it" }));
    repo = undefined;
  }

  const profile = resolveProfile({ actorClass: actor.actorClass, written: policy.profiles[actor.actorClass] });
  const merged = mergeSettings({ actorClass: actor.actorClass, profile, orgDeny: policy.deny, repo });
  violations.push(...merged.violations.map((violation) => locate(settings, violation)));

  const classRule = `profiles.${actor.actorClass}`;
  const imageRules = {
    effective: merged.effective,
    registriesRule: repo?.registries ? "environment.registries" : `${classRule}.registries`,
    digestRule: profile.requireImageDigest ? `${classRule}.requireImageDigest` : "environment.requireImageDigest",
  };
  if (steps) {
    const images = judgeStepImages({ steps: steps.value, ...imageRules });
    violations.push(...images.map((violation) => locate(steps, violation)));
  }
  if (stack) {
    const images = judgeStepImages({ steps: externalServiceImages(stack.value), list: "services", ...imageRules });
    violations.push(...[...images, ...judgeStack({ stack: stack.value, policy })].map((violation) => locate(stack, violation)));
  }
  return { effective: merged.effective, violations };
}

function locate(config: LocatedConfig<unknown> | undefined, violation: { path: (string | number)[]; rule: string; message: string }): PolicyViolation {
  const { rule, message } = violation;
  if (!config) return { rule, message };
  return { rule, message, location: { file: config.file, ...config.locate(violation.path), field: violation.path.join(".") } };
}

export type { PolicyDecision } from "./policy-decision.ts";
