import type { ConfigProblem } from "../config/config-problem.ts";
import { parseConfigFile } from "../config/parse-config-file.ts";
import { describeError } from "../errors.ts";
import { readRepositoryFile, type GitHubRequester } from "../github/repository-gateway.ts";
import { defaultOrgPolicy, orgPolicySchema, type OrgPolicy, type PolicySource } from "./org-policy-schema.ts";

/** Path of the org policy inside the org's `.github` repository. */
export const ORG_POLICY_PATH = ".github/paddock-policy.yml";
/** Repository that holds org-wide settings on GitHub. */
export const ORG_SETTINGS_REPOSITORY = ".github";

/** The org policy to judge with, or why none can be used. Policy is never guessed. */
export type OrgPolicyLookup =
  | { kind: "policy"; policy: OrgPolicy; source: PolicySource }
  | { kind: "invalid"; problems: ConfigProblem[]; source: PolicySource }
  | { kind: "unreadable"; message: string };

/** Validates org policy text; no text means the documented defaults apply. */
export function readOrgPolicy(options: { text: string | undefined; location: string }): OrgPolicyLookup {
  if (options.text === undefined) return { kind: "policy", policy: defaultOrgPolicy(), source: { kind: "defaults" } };
  const source: PolicySource = { kind: "file", location: options.location };
  const parsed = parseConfigFile({ text: options.text, file: ORG_POLICY_PATH, schema: orgPolicySchema });
  return parsed.ok ? { kind: "policy", policy: parsed.value, source } : { kind: "invalid", problems: parsed.problems, source };
}

/** Fetches the org policy from the default branch of the org's `.github` repository. */
export async function fetchOrgPolicy(options: { octokit: GitHubRequester; owner: string }): Promise<OrgPolicyLookup> {
  const { octokit, owner } = options;
  try {
    const file = await readRepositoryFile({ octokit, owner, repo: ORG_SETTINGS_REPOSITORY, path: ORG_POLICY_PATH });
    const location = `${owner}/${ORG_SETTINGS_REPOSITORY}/${ORG_POLICY_PATH}${file ? `@${file.sha.slice(0, 12)}` : ""}`;
    return readOrgPolicy({ text: file?.text, location });
  } catch (error) {
    return {
      kind: "unreadable",
      message: `org policy ${owner}/${ORG_SETTINGS_REPOSITORY}/${ORG_POLICY_PATH} could not be read (${describeError(error)}): grant Paddock read access to that repository`,
    };
  }
}
