import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import type { ActorClassification } from "../policy/actor-class.ts";
import { POLICY_ANNOTATIONS } from "../policy/policy-annotations.ts";
import type { EnvironmentUsage } from "../policy/policy-decision.ts";
import type { SpendLedger } from "../policy/records/spend-ledger.ts";
import { utcDay } from "../policy/records/spend-ledger.ts";
import type { ListedEnvironment } from "../providers/provider.ts";

/** Sources of usage: the provider's live environments and the spend ledger. */
export interface UsageSources {
  listEnvironments?: () => Promise<ListedEnvironment[]>;
  ledger: SpendLedger;
}

/**
 * Reads what counts against an actor's caps: live, unexpired environments of the same class
 * in the repository (and of the same actor), without the environment being decided, and
 * today's recorded spend. Read failures propagate, because caps are never guessed.
 */
export async function gatherUsage(options: {
  sources: UsageSources;
  repositoryId: number;
  environmentName: string;
  actor: ActorClassification;
  currency: string;
  now: Date;
}): Promise<EnvironmentUsage> {
  const { sources, repositoryId, environmentName, actor, currency, now } = options;
  const usage: EnvironmentUsage = {};

  if (sources.listEnvironments) {
    const others = (await sources.listEnvironments()).filter(
      (environment) =>
        environment.name !== environmentName &&
        environment.labels[`${LABEL_PREFIX}/repository-id`] === String(repositoryId) &&
        isLive(environment, now) &&
        (environment.annotations[POLICY_ANNOTATIONS.actorClass] ?? "human") === actor.actorClass,
    );
    const mine = others.filter((environment) => environment.annotations[POLICY_ANNOTATIONS.actor] === actor.login);
    usage.live = { inRepository: others.length, forActor: mine.length };
  }

  const day = utcDay(now);
  usage.spentToday = {
    repositoryNanos: await sources.ledger.spentToday({ repositoryId, day, currency }),
    actorClassNanos: await sources.ledger.spentToday({ repositoryId, actorClass: actor.actorClass, day, currency }),
  };
  return usage;
}

// An environment without a readable expiry counts as live: over-counting only denies.
function isLive(environment: ListedEnvironment, now: Date): boolean {
  const expiresAt = Date.parse(environment.annotations[`${LABEL_PREFIX}/expires-at`] ?? "");
  return Number.isNaN(expiresAt) || expiresAt > now.getTime();
}
