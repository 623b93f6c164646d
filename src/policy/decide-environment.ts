import type { RepoConfig } from "../config/repo-config-schema.ts";
import { parseCpuMillis, parseDurationSeconds, parseMemoryBytes } from "../config/units.ts";
import type { OrgPolicy, PolicySource } from "./org-policy-schema.ts";

/** Whether an environment may be created, and every reason that decided it. */
export interface PolicyDecision {
  allowed: boolean;
  reasons: string[];
  source: PolicySource;
}

/**
 * Judges a repository's environment settings against the org's caps. A request over a cap is
 * denied with the rule it exceeds; it is never clamped.
 */
export function decideEnvironment(options: { config: RepoConfig; policy: OrgPolicy; source: PolicySource }): PolicyDecision {
  const { config, policy, source } = options;
  const { resources, ttl, egress } = config.environment;
  const limits = policy.limits;
  const violations: string[] = [];

  if (parseCpuMillis(resources.cpu)! > parseCpuMillis(limits.cpu)!) {
    violations.push(`environment.resources.cpu ${resources.cpu} exceeds the org limit limits.cpu ${limits.cpu}`);
  }
  if (parseMemoryBytes(resources.memory)! > parseMemoryBytes(limits.memory)!) {
    violations.push(`environment.resources.memory ${resources.memory} exceeds the org limit limits.memory ${limits.memory}`);
  }
  if (parseDurationSeconds(ttl)! > parseDurationSeconds(limits.ttl)!) {
    violations.push(`environment.ttl ${ttl} exceeds the org limit limits.ttl ${limits.ttl}`);
  }
  const allowsAnyHost = limits.egress.includes("*");
  for (const host of egress) {
    if (!allowsAnyHost && !limits.egress.includes(host)) {
      violations.push(`environment.egress host ${host} is not in the org allowlist limits.egress [${limits.egress.join(", ")}]`);
    }
  }

  const origin = source.kind === "defaults" ? "default org policy (no policy file)" : `org policy ${source.location}`;
  if (violations.length > 0) return { allowed: false, reasons: violations.map((v) => `${v} (${origin})`), source };
  return {
    allowed: true,
    reasons: [`within the limits of the ${origin}: cpu ${limits.cpu}, memory ${limits.memory}, ttl ${limits.ttl}`],
    source,
  };
}
