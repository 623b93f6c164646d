import { z } from "zod";
import { cpuSchema, durationSchema, memorySchema } from "../config/repo-config-schema.ts";

/** Caps that apply when the org has no policy file. */
export const DEFAULT_ORG_LIMITS = { cpu: "4", memory: "8Gi", ttl: "72h", egress: ["*"] } as const;

export const orgLimitsSchema = z
  .strictObject({
    cpu: cpuSchema.default(DEFAULT_ORG_LIMITS.cpu).describe("Most CPU one step may request."),
    memory: memorySchema.default(DEFAULT_ORG_LIMITS.memory).describe("Most memory one step may request."),
    ttl: durationSchema.default(DEFAULT_ORG_LIMITS.ttl).describe("Longest time an environment may live."),
    egress: z
      .array(z.string().min(1))
      .default([...DEFAULT_ORG_LIMITS.egress])
      .describe('Hosts repositories may open egress to; ["*"] allows any, [] allows none.'),
  })
  .describe("Caps every repository's environment must stay within.");

export const orgPolicySchema = z
  .strictObject({
    $schema: z.string().optional().describe("JSON Schema reference for editors; ignored by Paddock."),
    limits: orgLimitsSchema.default({ ...DEFAULT_ORG_LIMITS, egress: [...DEFAULT_ORG_LIMITS.egress] }),
  })
  .describe("Paddock org policy, read from .github/paddock-policy.yml in the org's .github repository.");

export type OrgPolicy = z.output<typeof orgPolicySchema>;

/** Where a policy came from, shown with every decision. */
export interface PolicySource {
  kind: "file" | "defaults";
  /** Repository, path and commit for a file read from GitHub; a local path for the CLI. */
  location?: string;
}

/** The policy Paddock applies without an org policy file. */
export function defaultOrgPolicy(): OrgPolicy {
  return orgPolicySchema.parse({});
}
