import { ACTOR_CLASSES } from "./actor-class.ts";
import type { ProfileInput } from "./profile-schema.ts";

/** The parts of a parsed org policy that can contradict each other. */
export interface ContradictionInput {
  profiles: Partial<Record<(typeof ACTOR_CLASSES)[number], ProfileInput | undefined>>;
  deny: { registries?: string[]; egress?: string[] };
  budgets?: { currency: string };
  cost?: { currency?: string };
}

/** A contradiction, located at the field that should change. */
export interface Contradiction {
  path: (string | number)[];
  message: string;
}

const DEFAULT_PRICE_CURRENCY = "USD";

/**
 * Finds settings that cannot all hold: an entry both allowed in a profile and denied, and
 * budgets in another currency than the prices. Such a policy is invalid rather
 * than resolved by a guess about which setting the admin meant.
 */
export function findContradictions(policy: ContradictionInput): Contradiction[] {
  const problems: Contradiction[] = [];
  for (const actorClass of ACTOR_CLASSES) {
    const profile = policy.profiles[actorClass];
    if (!profile) continue;
    problems.push(...findDenied({ actorClass, list: "registries", allowed: profile.registries, denied: policy.deny.registries }));
    problems.push(...findDenied({ actorClass, list: "egress", allowed: profile.egress, denied: policy.deny.egress }));
  }

  const priceCurrency = policy.cost?.currency ?? DEFAULT_PRICE_CURRENCY;
  if (policy.budgets && policy.budgets.currency !== priceCurrency) {
    problems.push({
      path: ["budgets", "currency"],
      message: `budgets are in ${policy.budgets.currency} but prices are in ${priceCurrency}: use the same currency in budgets.currency and cost.currency`,
    });
  }
  return problems;
}

function findDenied(options: { actorClass: string; list: "registries" | "egress"; allowed: string[] | undefined; denied: string[] | undefined }): Contradiction[] {
  const { actorClass, list, allowed = [], denied = [] } = options;
  const deniedSet = new Set(denied.map((entry) => entry.toLowerCase()));
  const problems: Contradiction[] = [];
  allowed.forEach((entry, index) => {
    if (entry !== "*" && deniedSet.has(entry.toLowerCase())) {
      problems.push({
        path: ["profiles", actorClass, list, index],
        message: `${JSON.stringify(entry)} is both allowed here and denied in deny.${list}: remove it from one of the lists`,
      });
    }
  });
  return problems;
}
