import { z } from "zod";
import { costPolicySchema } from "../cost/price-table-schema.ts";
import { ACTOR_CLASSES } from "./actor-class.ts";
import { budgetsSchema } from "./budget-schema.ts";
import { findContradictions } from "./policy-contradictions.ts";
import { denySchema, listSchema } from "./policy-fields.ts";
import { profileSchema } from "./profile-schema.ts";
import { buildSchema, previewSchema } from "./stack-policy-schema.ts";

/** Actions on live environments that a newly merged policy would deny. */
export const POLICY_CHANGE_ACTIONS = ["flag", "teardown"] as const;

/** The problem reported for `profiles.fork.secrets: true`. */
const FORK_SECRETS_MESSAGE = "secrets are never mounted for fork pull requests: set false or remove the field";

const BRANCH_PATTERN = /^[A-Za-z0-9._\-/*]+$/;

export const agentsSchema = z
  .strictObject({
    builtIn: z.boolean().default(true).describe("Whether the built-in list of coding agents (Copilot, Codex, Claude, Devin, Cursor, Jules, Amazon Q) applies."),
    logins: listSchema(z.string().min(1))
      .default([])
      .describe("More bot logins or GitHub App slugs treated as agents when the sender's type is Bot."),
    branchPatterns: listSchema(z.string().regex(BRANCH_PATTERN, { error: "invalid branch pattern: use letters, digits, '.', '_', '-', '/' and * (any text)" }))
      .default([])
      .describe("More branch patterns, such as ai/*, whose pushes count as agent work."),
  })
  .describe("How agents are recognized: by bot identity first, by branch pattern second.");

export const orgPolicySchema = z
  .strictObject({
    $schema: z.string().optional().describe("JSON Schema reference for editors; ignored by Paddock."),
    repoSettings: z
      .enum(["allow", "forbid"], { error: () => "invalid repoSettings: use allow or forbid" })
      .default("allow")
      .describe("allow: repositories may tighten the environment in .github/paddock.yml; forbid: any environment section there is rejected."),
    agents: agentsSchema.default({ builtIn: true, logins: [], branchPatterns: [] }),
    profiles: z
      .strictObject({ human: profileSchema.optional(), agent: profileSchema.optional(), fork: profileSchema.optional() })
      // Runs also when another profile field is invalid, so one pass reports every problem.
      .superRefine(
        (profiles, context) => {
          const fork = (profiles as { fork?: unknown }).fork;
          if (typeof fork === "object" && fork !== null && (fork as { secrets?: unknown }).secrets === true) {
            context.addIssue({ code: "custom", path: ["fork", "secrets"], message: FORK_SECRETS_MESSAGE });
          }
        },
        { when: (payload) => typeof payload.value === "object" && payload.value !== null },
      )
      .default({})
      .describe(`Limits and permissions per actor class (${ACTOR_CLASSES.join(", ")}); unset fields keep the documented defaults.`),
    deny: denySchema.default({}),
    budgets: budgetsSchema.optional(),
    cost: costPolicySchema.optional(),
    preview: previewSchema.optional(),
    build: buildSchema.optional(),
    onPolicyChange: z
      .enum(POLICY_CHANGE_ACTIONS, { error: () => `invalid onPolicyChange: use ${POLICY_CHANGE_ACTIONS.join(" or ")}` })
      .default("flag")
      .describe("What happens to live environments a newly merged policy would deny: flag them on their pull request, or tear them down."),
  })
  .superRefine((policy, context) => {
    for (const problem of findContradictions(policy)) context.addIssue({ code: "custom", ...problem });
  })
  .describe("Paddock org policy, read from .github/paddock-policy.yml in the org's .github repository.");

/** A validated org policy, with defaults filled in. */
export type OrgPolicy = z.output<typeof orgPolicySchema>;

/** Origin of a policy, shown with every decision. */
export interface PolicySource {
  kind: "file" | "defaults";
  /** `owner/repo/path@commit` for a file read from GitHub, or a local path for the CLI. */
  location?: string;
  /** Repository that contains the file, such as `acme/.github`. */
  repository?: string;
  path?: string;
  /** Commit the file was read at. */
  commitSha?: string;
  /** SHA-256 of the file's text as read, in hex, which audit records name. */
  sha256?: string;
}

/** Returns the policy Paddock applies without an org policy file. */
export function defaultOrgPolicy(): OrgPolicy {
  return orgPolicySchema.parse({});
}

/** Describes a source in one phrase, such as `org policy acme/.github/.github/paddock-policy.yml@1a2b3c4`. */
export function describePolicySource(source: PolicySource): string {
  return source.kind === "defaults" ? "default org policy (no policy file)" : `org policy ${source.location ?? source.path ?? ""}`.trim();
}
