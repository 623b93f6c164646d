import { z } from "zod";
import { describeInvalidBranchName } from "./git-branch-name.ts";
import type { EventRepository } from "./webhook-event.ts";

/** A GitHub database id: a positive whole number. */
export const githubIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A branch name that git accepts (`git check-ref-format` rules), as GitHub sends in `head.ref` and `base.ref`. */
export const branchNameSchema = z.string().superRefine((name, context) => {
  const reason = describeInvalidBranchName(name);
  if (reason !== undefined) context.addIssue({ code: "custom", message: `not a git branch name, because ${reason}` });
});

const BRANCH_REF_PREFIX = "refs/heads/";

/**
 * A full ref name such as `refs/heads/main`, checked with the same rules as a branch name. The
 * part after `refs/heads/` is checked on its own too, because `refs/heads/-x` names the branch `-x`.
 */
export const refNameSchema = z.string().superRefine((name, context) => {
  const branch = name.startsWith(BRANCH_REF_PREFIX) ? name.slice(BRANCH_REF_PREFIX.length) : undefined;
  const reason = describeInvalidBranchName(name) ?? (branch === undefined ? undefined : describeInvalidBranchName(branch));
  if (reason !== undefined) context.addIssue({ code: "custom", message: `not a git ref name, because ${reason}` });
});

/** The account fields of a webhook's `sender`, as GitHub sends them. */
export const accountSchema = z.object({ login: z.string(), id: githubIdSchema, type: z.string() });

/** The repository fields of a webhook payload that Paddock reads. */
export const repositorySchema = z.object({
  id: githubIdSchema,
  name: z.string(),
  full_name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string().optional(),
});

/** A full commit SHA: 40 hex digits (SHA-1), or 64 for repositories on SHA-256. */
export const commitShaSchema = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/);

/** The installation of a payload; some recorded payloads have none. */
export const installationSchema = z.object({ id: githubIdSchema }).nullish();

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
