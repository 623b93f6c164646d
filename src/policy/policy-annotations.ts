import type { ActorClassification } from "./actor-class.ts";
import type { EffectiveSettings } from "./merge-settings.ts";

/** Prefix of Paddock's annotations; the same value as `LABEL_PREFIX` in environments. */
const PREFIX = "paddock.dev";

/** Annotations that record who an environment was created for and under which settings. */
export const POLICY_ANNOTATIONS = {
  actor: `${PREFIX}/actor`,
  actorClass: `${PREFIX}/actor-class`,
  cpu: `${PREFIX}/cpu`,
  memory: `${PREFIX}/memory`,
  egress: `${PREFIX}/egress`,
  ttl: `${PREFIX}/ttl`,
  setByRepository: `${PREFIX}/set-by-repository`,
  policy: `${PREFIX}/policy`,
} as const;

/**
 * Builds the annotations a live environment carries so that a later policy can judge it from
 * a provider's list alone: the actor, its class and the effective settings.
 */
export function buildPolicyAnnotations(options: { actor: ActorClassification; effective: EffectiveSettings; policyLocation: string }): Record<string, string> {
  const { actor, effective } = options;
  return {
    [POLICY_ANNOTATIONS.actor]: actor.login,
    [POLICY_ANNOTATIONS.actorClass]: actor.actorClass,
    [POLICY_ANNOTATIONS.cpu]: effective.resources.cpu,
    [POLICY_ANNOTATIONS.memory]: effective.resources.memory,
    [POLICY_ANNOTATIONS.egress]: effective.egress.join(","),
    [POLICY_ANNOTATIONS.ttl]: effective.ttl,
    [POLICY_ANNOTATIONS.setByRepository]: effective.setByRepository.join(","),
    [POLICY_ANNOTATIONS.policy]: options.policyLocation,
  };
}
