/**
 * The coding agents Paddock recognizes without configuration. Logins are GitHub's bot accounts
 * (the `[bot]` suffix belongs to GitHub Apps); branch patterns are the prefixes the agents
 * give the branches they push. Sources: public pull requests, commit trailers and bot
 * allowlists in public repositories, read in 2026.
 */
export const BUILT_IN_AGENTS: readonly BuiltInAgent[] = [
  // GitHub shows the Copilot coding agent both as `Copilot` and as `copilot-swe-agent[bot]`.
  { name: "copilot", logins: ["Copilot", "copilot-swe-agent[bot]"], branchPatterns: ["copilot/*"] },
  // Codex cloud opens pull requests as the person who started the task, so the branch is the main signal.
  { name: "codex", logins: ["chatgpt-codex-connector[bot]"], branchPatterns: ["codex/*"] },
  // NOTE: no public source opened for this list confirms the `claude/*` and `devin/*` branch prefixes.
  { name: "claude", logins: ["claude[bot]"], branchPatterns: ["claude/*"] },
  { name: "devin", logins: ["devin-ai-integration[bot]"], branchPatterns: ["devin/*"] },
  { name: "cursor", logins: ["cursor[bot]"], branchPatterns: ["cursor/*"] },
  { name: "jules", logins: ["google-labs-jules[bot]"], branchPatterns: [] },
  { name: "amazon-q", logins: ["amazon-q-developer[bot]"], branchPatterns: [] },
];

/** One agent on the built-in list. */
export interface BuiltInAgent {
  name: string;
  logins: readonly string[];
  branchPatterns: readonly string[];
}
