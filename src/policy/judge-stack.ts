import type { RepoConfig } from "../config/repo-config-schema.ts";
import type { OrgPolicy } from "./org-policy-schema.ts";

/** The full-stack parts of a repository config: images to build, services to run, the service to expose. */
export type StackConfig = Pick<RepoConfig, "images" | "services" | "expose">;

/** A stack setting the org policy cannot serve, located by its path in the repository config. */
export interface StackViolation {
  path: (string | number)[];
  rule: string;
  message: string;
}

/**
 * Judges what a repository's stack needs from the org policy: images need `build.registry` to
 * push to, and `expose` needs `preview.host` to make a URL. Without them the run is denied
 * rather than started without its images or preview.
 */
export function judgeStack(options: { stack: StackConfig; policy: Pick<OrgPolicy, "build" | "preview"> }): StackViolation[] {
  const { stack, policy } = options;
  const violations: StackViolation[] = [];
  if ((stack.images?.length ?? 0) > 0 && policy.build?.registry === undefined) {
    violations.push({
      path: ["images"],
      rule: "build.registry",
      message: "images need a registry to push to, but the org policy sets no build.registry: ask an org admin to set build.registry, or remove images",
    });
  }
  if (stack.expose && policy.preview?.host === undefined) {
    violations.push({
      path: ["expose"],
      rule: "preview.host",
      message: "expose needs a preview host, but the org policy sets no preview.host: ask an org admin to set preview.host, or remove expose",
    });
  }
  return violations;
}

/** Lists each service's image for registry checks, leaving out images built from the `images` list. */
export function externalServiceImages(stack: StackConfig): { image?: string }[] {
  const built = new Set((stack.images ?? []).map((image) => image.name));
  return (stack.services ?? []).map((service) => (built.has(service.image) ? {} : { image: service.image }));
}
