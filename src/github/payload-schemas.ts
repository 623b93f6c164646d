import { z } from "zod";
import type { EventRepository } from "./webhook-event.ts";

/** The account fields of a webhook's `sender`, as GitHub sends them. */
export const accountSchema = z.object({ login: z.string(), id: z.number(), type: z.string() });

/** The repository fields of a webhook payload that Paddock reads. */
export const repositorySchema = z.object({
  id: z.number(),
  name: z.string(),
  full_name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string().optional(),
});

/** A full commit SHA: 40 hex digits (SHA-1), or 64 for repositories on SHA-256. */
export const commitShaSchema = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/);

/** The installation of a payload; some recorded payloads have none. */
export const installationSchema = z.object({ id: z.number() }).nullish();

/** Reduces a payload's repository to the fields Paddock uses; GitHub's default branch when unset is `main`. */
export function toEventRepository(repository: z.output<typeof repositorySchema>): EventRepository {
  return {
    id: repository.id,
    owner: repository.owner.login,
    name: repository.name,
    fullName: repository.full_name,
    defaultBranch: repository.default_branch ?? "main",
  };
}
