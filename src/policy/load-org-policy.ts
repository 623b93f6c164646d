import { createHash } from "node:crypto";
import type { ConfigProblem } from "../config/config-problem.ts";
import { parseConfigFile } from "../config/parse-config-file.ts";
import { describeError } from "../errors.ts";
import { readRepositoryFile, type GitHubRequester } from "../github/repository-gateway.ts";
import { defaultOrgPolicy, orgPolicySchema, type OrgPolicy, type PolicySource } from "./org-policy-schema.ts";

/** Path of the org policy inside the org's `.github` repository. */
export const ORG_POLICY_PATH = ".github/paddock-policy.yml";
/** Repository that contains org-wide settings on GitHub. */
export const ORG_SETTINGS_REPOSITORY = ".github";
/** Length of a commit SHA in a policy location, as in `acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f`. */
export const LOCATION_SHA_LENGTH = 12;

/** The org policy to judge with, or why none can be used. Policy is never guessed. */
export type OrgPolicyLookup =
  | { kind: "policy"; policy: OrgPolicy; source: PolicySource }
  | { kind: "invalid"; problems: ConfigProblem[]; source: PolicySource }
  | { kind: "unreadable"; message: string };

/** Validates org policy text; no text means the documented defaults apply. */
export function readOrgPolicy(options: { text: string | undefined; source: Omit<PolicySource, "kind"> }): OrgPolicyLookup {
  if (options.text === undefined) return { kind: "policy", policy: defaultOrgPolicy(), source: { kind: "defaults" } };
  const source: PolicySource = { kind: "file", ...options.source, sha256: createHash("sha256").update(options.text, "utf8").digest("hex") };
  const parsed = parseConfigFile({ text: options.text, file: ORG_POLICY_PATH, schema: orgPolicySchema });
  return parsed.ok ? { kind: "policy", policy: parsed.value, source } : { kind: "invalid", problems: parsed.problems, source };
}

/**
 * Fetches the org policy from the default branch of the org's `.github` repository, pinned to
 * the newest commit that touched the file, so every decision names the exact version. A
 * missing repository or file means the documented defaults; any other failure (403, 5xx, a
 * network error) makes the policy unreadable, which denies.
 */
export async function fetchOrgPolicy(options: { octokit: GitHubRequester; owner: string; ref?: string }): Promise<OrgPolicyLookup> {
  const { octokit, owner } = options;
  const repository = `${owner}/${ORG_SETTINGS_REPOSITORY}`;
  const target = { octokit, owner, repo: ORG_SETTINGS_REPOSITORY, path: ORG_POLICY_PATH };
  try {
    // 1. Is there a file at all? A 404 for the repository or the file means defaults.
    const current = await readRepositoryFile({ ...target, ...(options.ref ? { ref: options.ref } : {}) });
    if (!current) return readOrgPolicy({ text: undefined, source: {} });

    // 2. Pin the newest commit that changed it, and read the file at that commit.
    const commits = await octokit.request("GET /repos/{owner}/{repo}/commits", {
      owner,
      repo: ORG_SETTINGS_REPOSITORY,
      path: ORG_POLICY_PATH,
      per_page: 1,
      ...(options.ref ? { sha: options.ref } : {}),
    });
    const commitSha = (commits.data as Array<{ sha?: string }>)[0]?.sha;
    if (!commitSha) throw new Error(`no commit of ${repository} touches ${ORG_POLICY_PATH}`);
    const pinned = await readRepositoryFile({ ...target, ref: commitSha });
    const location = `${repository}/${ORG_POLICY_PATH}@${commitSha.slice(0, LOCATION_SHA_LENGTH)}`;
    return readOrgPolicy({ text: pinned?.text, source: { location, repository, path: ORG_POLICY_PATH, commitSha } });
  } catch (error) {
    return { kind: "unreadable", message: describeUnreadable({ error, repository }) };
  }
}

function describeUnreadable(options: { error: unknown; repository: string }): string {
  const status = (options.error as { status?: unknown }).status;
  const detail = typeof status === "number" ? `HTTP ${status}: ${describeError(options.error)}` : describeError(options.error);
  const fix = status === 403 || status === 401 ? "grant Paddock read access to that repository" : "retry once GitHub answers again";
  return `org policy ${options.repository}/${ORG_POLICY_PATH} could not be read (${detail}), so nothing runs: ${fix}`;
}
