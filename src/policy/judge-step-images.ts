import { matchesAny } from "./allowlist.ts";
import { parseImageReference } from "./image-reference.ts";
import type { EffectiveSettings } from "./merge-settings.ts";

/** A step image that breaks a rule, located by its index in `steps`. */
export interface ImageViolation {
  path: (string | number)[];
  rule: string;
  message: string;
}

/**
 * Judges the images of the head commit's steps: each registry must be on the merged allowlist
 * and on no denylist, and when digests are required each image must pin one. Steps come from
 * the head commit, so this is how a pull request's own steps stay within policy. With `list`
 * set to `services`, it judges service images the same way; entries without an image are skipped.
 */
export function judgeStepImages(options: {
  steps: readonly { image?: string | undefined }[];
  /** The config list the entries come from, used in paths and messages; `steps` when unset. */
  list?: "steps" | "services";
  effective: EffectiveSettings;
  /** The rule that produced the allowlist, such as `profiles.agent.registries` or `environment.registries`. */
  registriesRule: string;
  digestRule: string;
}): ImageViolation[] {
  const { steps, effective, registriesRule, digestRule, list = "steps" } = options;
  const violations: ImageViolation[] = [];
  steps.forEach((step, index) => {
    if (step.image === undefined) return;
    const path = [list, index, "image"];
    const { registry, pinned } = parseImageReference(step.image);
    if (matchesAny(registry, effective.deny.registries)) {
      violations.push({ path, rule: "deny.registries", message: `${list}.${index}.image ${step.image} comes from ${registry}, which is in deny.registries` });
    } else if (!matchesAny(registry, effective.registries)) {
      violations.push({
        path,
        rule: registriesRule,
        message: `${list}.${index}.image ${step.image} comes from ${registry}, which is not in ${registriesRule} [${effective.registries.join(", ")}]`,
      });
    }
    if (effective.requireImageDigest && !pinned) {
      violations.push({ path, rule: digestRule, message: `${list}.${index}.image ${step.image} is not pinned by digest, which ${digestRule} requires: use image@sha256:<digest>` });
    }
  });
  return violations;
}
