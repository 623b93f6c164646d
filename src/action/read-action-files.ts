import { formatConfigProblem } from "../config/config-problem.ts";
import { readRepoConfig } from "../config/load-repo-config.ts";
import type { RepoConfig } from "../config/repo-config-schema.ts";
import { readFlagFile } from "../cli/read-inputs.ts";
import { MAX_CONFIG_BYTES } from "../config/parse-config-file.ts";
import { PaddockError } from "../errors.ts";
import type { LocatedConfig } from "../policy/decide-environment.ts";
import { readOrgPolicy } from "../policy/load-org-policy.ts";
import type { OrgPolicy, PolicySource } from "../policy/org-policy-schema.ts";

/** Reads and validates the repository config the `config` input names, relative to the checkout. */
export function readConfigInput(options: { path: string; workspace: string }): LocatedConfig<RepoConfig> {
  const text = readFlagFile({ flag: "input config", path: options.path, cwd: options.workspace, maxBytes: MAX_CONFIG_BYTES, within: options.workspace });
  const lookup = readRepoConfig({ text, file: options.path });
  if (lookup.kind === "valid") return { value: lookup.config, file: lookup.file, locate: lookup.locate };
  const problems = lookup.kind === "invalid" ? lookup.problems.map(formatConfigProblem) : [];
  throw new PaddockError("CONFIG_INVALID", `invalid config ${options.path}:\n${problems.join("\n")}`, { hint: "fix the fields listed above" });
}

/**
 * Reads the org policy the `org-policy` input names, a regular file inside the checkout, or the
 * documented defaults without one.
 */
export function readOrgPolicyInput(options: { path: string | undefined; workspace: string }): { policy: OrgPolicy; source: PolicySource } {
  const { path, workspace } = options;
  const text = path === undefined ? undefined : readFlagFile({ flag: "input org-policy", path, cwd: workspace, maxBytes: MAX_CONFIG_BYTES, within: workspace });
  const lookup = readOrgPolicy({ text, source: { location: path ?? "" } });
  if (lookup.kind === "policy") return { policy: lookup.policy, source: lookup.source };
  const problems = lookup.kind === "invalid" ? lookup.problems.map((problem) => formatConfigProblem({ ...problem, file: path ?? problem.file })) : [];
  throw new PaddockError("CONFIG_INVALID", `invalid org policy ${path}:\n${problems.join("\n")}`, { hint: "fix the fields listed above" });
}
