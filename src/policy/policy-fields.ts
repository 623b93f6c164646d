import { z } from "zod";
import { APPROVAL_LEVELS } from "./actor-class.ts";

/** Largest count a cap may hold (pods, concurrent environments): a typo guard, not a product limit. */
export const MAX_COUNT_CAP = 10_000;
/** Maximum entries in one allowlist or denylist. */
export const MAX_LIST_ENTRIES = 200;

const HOST_PATTERN = /^(\*|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?)$/;

/** A positive whole-number cap such as a pod count or a concurrency limit. */
export const countCapSchema = z
  .number({ error: (issue) => `invalid count ${JSON.stringify(issue.input)}: use a whole number from 1 to ${MAX_COUNT_CAP}` })
  .int({ error: (issue) => `invalid count ${JSON.stringify(issue.input)}: use a whole number from 1 to ${MAX_COUNT_CAP}` })
  .min(1, { error: (issue) => `invalid count ${JSON.stringify(issue.input)}: a cap must be at least 1` })
  .max(MAX_COUNT_CAP, { error: (issue) => `invalid count ${JSON.stringify(issue.input)}: a cap may be at most ${MAX_COUNT_CAP}` });

/** A host name for egress rules (`registry.npmjs.org`, `*.github.com`), or `*` for any host. */
export const hostSchema = z
  .string()
  .regex(HOST_PATTERN, {
    error: (issue) => `invalid host ${JSON.stringify(issue.input)}: use a lowercase host name such as registry.npmjs.org or *.github.com, or * for any host`,
  })
  .describe("A host name, a *.domain wildcard, or * for any host.");

/** An image registry host such as `ghcr.io` or `docker.io`, or `*` for any registry. */
export const registrySchema = z
  .string()
  .regex(HOST_PATTERN, {
    error: (issue) => `invalid registry ${JSON.stringify(issue.input)}: use a registry host such as ghcr.io or docker.io, or * for any registry`,
  })
  .describe("An image registry host such as ghcr.io or docker.io (images without a host come from docker.io), or * for any.");

/** Builds the schema of a list of hosts or registries. */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.array(item).max(MAX_LIST_ENTRIES, { error: `list has more than ${MAX_LIST_ENTRIES} entries: use a wildcard` });
}

/** Approval level: who must approve before an environment runs. */
export const approvalSchema = z
  .enum(APPROVAL_LEVELS, { error: () => `invalid approval level: use one of ${APPROVAL_LEVELS.join(", ")}` })
  .describe("Who must approve each head commit before it runs: none, or the least repository permission of the approver (write, maintain, admin).");

/** Lists that only ever grow when layers merge. */
export const denySchema = z
  .strictObject({
    registries: listSchema(registrySchema).optional().describe("Image registries no step may pull from."),
    egress: listSchema(hostSchema).optional().describe("Hosts no environment may reach."),
  })
  .describe("Denylists; they win over every allowlist.");
