import { z } from "zod";
import { cpuSchema, memorySchema, ttlSchema } from "../config/repo-config-schema.ts";
import { parseDurationSeconds } from "../config/units.ts";
import type { ActorClass, ApprovalLevel } from "./actor-class.ts";
import { approvalSchema, countCapSchema, hostSchema, listSchema, registrySchema } from "./policy-fields.ts";

/** The limits and permissions of one actor class, with every field filled in. */
export interface ActorProfile {
  resources: { cpu: string; memory: string; pods: number };
  ttl: { default: string; max: string };
  concurrency: { perRepository: number; perActor: number };
  egress: string[];
  secrets: boolean;
  registries: string[];
  approval: ApprovalLevel;
  requireImageDigest: boolean;
}

const PUBLIC_REGISTRIES = ["docker.io", "ghcr.io", "quay.io", "mcr.microsoft.com", "registry.k8s.io", "public.ecr.aws"];

/**
 * The profiles that apply where the org policy sets nothing. Agents and forks get no network,
 * no secrets and public registries only; forks also wait for approval by someone with write
 * permission.
 */
export const DEFAULT_PROFILES: Readonly<Record<ActorClass, ActorProfile>> = {
  human: {
    resources: { cpu: "4", memory: "8Gi", pods: 10 },
    ttl: { default: "24h", max: "72h" },
    concurrency: { perRepository: 20, perActor: 5 },
    egress: ["*"],
    secrets: true,
    registries: ["*"],
    approval: "none",
    requireImageDigest: false,
  },
  agent: {
    resources: { cpu: "2", memory: "4Gi", pods: 5 },
    ttl: { default: "4h", max: "24h" },
    concurrency: { perRepository: 10, perActor: 3 },
    egress: [],
    secrets: false,
    registries: PUBLIC_REGISTRIES,
    approval: "none",
    requireImageDigest: false,
  },
  fork: {
    resources: { cpu: "2", memory: "4Gi", pods: 5 },
    ttl: { default: "2h", max: "24h" },
    concurrency: { perRepository: 5, perActor: 2 },
    egress: [],
    secrets: false,
    registries: PUBLIC_REGISTRIES,
    approval: "write",
    requireImageDigest: false,
  },
};

/** One profile as written in the policy file: every field optional, filled from the class defaults. */
export const profileSchema = z
  .strictObject({
    resources: z
      .strictObject({
        cpu: cpuSchema.optional().describe("Most CPU one step may request."),
        memory: memorySchema.optional().describe("Most memory one step may request."),
        pods: countCapSchema.optional().describe("Most pods an environment may run at once."),
      })
      .optional(),
    ttl: z
      .strictObject({
        default: ttlSchema.optional().describe("Lifetime of an environment whose repository sets none."),
        max: ttlSchema.optional().describe("Longest lifetime a repository may set."),
      })
      .optional(),
    concurrency: z
      .strictObject({
        perRepository: countCapSchema.optional().describe("Most live environments of this class in one repository."),
        perActor: countCapSchema.optional().describe("Most live environments one actor of this class may have in one repository."),
      })
      .optional(),
    egress: listSchema(hostSchema).optional().describe('Hosts environments may reach: [] (no network) or ["*"] (any host).'),
    secrets: z.boolean().optional().describe("Whether repository secrets may be mounted. Never true for forks."),
    registries: listSchema(registrySchema).optional().describe('Image registries steps may pull from; ["*"] allows any.'),
    approval: approvalSchema.optional(),
    requireImageDigest: z.boolean().optional().describe("Whether every step image must be pinned by digest (@sha256:...)."),
  })
  .superRefine((profile, context) => {
    const { default: fallback, max } = profile.ttl ?? {};
    if (fallback && max && (parseDurationSeconds(fallback) ?? 0) > (parseDurationSeconds(max) ?? 0)) {
      context.addIssue({ code: "custom", path: ["ttl", "default"], message: `ttl.default ${fallback} is longer than ttl.max ${max}: shorten it` });
    }
  });

/** A profile as written in the policy file. */
export type ProfileInput = z.output<typeof profileSchema>;

/** Fills a written profile from the class defaults; the org's values replace the defaults. */
export function resolveProfile(options: { actorClass: ActorClass; written: ProfileInput | undefined }): ActorProfile {
  const base = DEFAULT_PROFILES[options.actorClass];
  const written = options.written ?? {};
  return {
    resources: { ...base.resources, ...written.resources },
    ttl: { ...base.ttl, ...written.ttl },
    concurrency: { ...base.concurrency, ...written.concurrency },
    egress: [...(written.egress ?? base.egress)],
    secrets: written.secrets ?? base.secrets,
    registries: [...(written.registries ?? base.registries)],
    approval: written.approval ?? base.approval,
    requireImageDigest: written.requireImageDigest ?? base.requireImageDigest,
  };
}
