import type { ConfigProblem } from "../config/config-problem.ts";
import type { LiveVerdict } from "./judge-live-environment.ts";

/** Most environments listed by name in a policy review; the rest are counted. */
export const MAX_LISTED_ENVIRONMENTS = 100;

/** Title, summary and conclusion of the check run that reviews an org policy change. */
export interface PolicyReview {
  conclusion: "success" | "failure" | "neutral";
  title: string;
  summary: string;
}

/** Renders the review of an invalid policy file: each problem is also an annotation. */
export function renderInvalidPolicyReview(problems: readonly ConfigProblem[]): PolicyReview {
  const lines = problems.map((problem) => `- \`${problem.file}:${problem.line}:${problem.column}\`${problem.field ? ` \`${problem.field}\`` : ""}: ${problem.message}`);
  return {
    conclusion: "failure",
    title: `Invalid org policy: ${problems.length} ${problems.length === 1 ? "problem" : "problems"}`,
    summary: ["**This policy cannot be merged as it is: Paddock would deny every environment while it is invalid.**", ...lines].join("\n"),
  };
}

/**
 * Renders what a valid policy means for the live environments: which it would deny, which it
 * would shrink, and which carry no settings to judge. `action` describes what happens to denied
 * ones after merge, or what was done after a push.
 */
export function renderPolicyImpact(options: { verdicts: readonly LiveVerdict[]; source: string; action: string; listed: boolean }): PolicyReview {
  const { verdicts, source, action } = options;
  const denied = verdicts.filter((verdict) => verdict.outcome === "deny");
  const shrunk = verdicts.filter((verdict) => verdict.outcome === "shrink");
  const unknown = verdicts.filter((verdict) => verdict.outcome === "unknown");
  const title = options.listed
    ? `Valid policy: ${denied.length} of ${verdicts.length} live environments denied, ${shrunk.length} shrunk`
    : "Valid policy: live environments were not judged";
  const sections = [`**Valid ${source}.**`];
  if (!options.listed) sections.push("The provider cannot list live environments, so none were judged.");
  if (denied.length > 0) sections.push(`**Would be denied (${action}):**\n${listVerdicts(denied)}`);
  if (shrunk.length > 0) sections.push(`**Would shrink to the new caps at their next run:**\n${listVerdicts(shrunk)}`);
  if (unknown.length > 0) sections.push(`**Not judged:**\n${listVerdicts(unknown)}`);
  if (options.listed && denied.length + shrunk.length === 0) sections.push(`All ${verdicts.length} live environments stay within this policy.`);
  return { conclusion: "success", title, summary: sections.join("\n\n") };
}

function listVerdicts(verdicts: readonly LiveVerdict[]): string {
  const lines = verdicts.slice(0, MAX_LISTED_ENVIRONMENTS).map((verdict) => {
    const where = verdict.pullRequest === undefined ? verdict.repository : `${verdict.repository}#${verdict.pullRequest}`;
    return `- \`${verdict.name}\` (${where}, ${verdict.actorClass ?? "unknown class"}): ${verdict.reasons.join("; ")}`;
  });
  if (verdicts.length > MAX_LISTED_ENVIRONMENTS) lines.push(`- and ${verdicts.length - MAX_LISTED_ENVIRONMENTS} more`);
  return lines.join("\n");
}
