import type { ActorClassification } from "./actor-class.ts";
import { BUILT_IN_AGENTS } from "./default-agents.ts";
import type { OrgPolicy } from "./org-policy-schema.ts";

/** Evidence that classification reads from an event. */
export interface ActorEvidence {
  sender: { login: string; type: string };
  /** `owner/name` of the base repository. */
  repositoryFullName: string;
  /** `owner/name` of the head repository; null when the fork was deleted. Undefined for a push. */
  headRepositoryFullName?: string | null;
  branch: string;
  /** Commit messages, read for trailers that only hint. */
  commitMessages?: string[];
}

interface AgentMatcher {
  name: string;
  logins: string[];
  branchPatterns: string[];
}

/**
 * Classifies the actor behind an event. A pull request from another repository is a fork
 * contributor, regardless of the sender. Otherwise a sender whose type is `Bot` and whose login (or
 * GitHub App slug) is on the agent list is an agent. Failing that, a branch that matches an agent
 * pattern makes one. Everyone else is human. Trailers are recorded in `hints` only.
 */
export function classifyActor(options: { evidence: ActorEvidence; agents: OrgPolicy["agents"]; hints?: string[] }): ActorClassification {
  const { evidence } = options;
  const login = evidence.sender.login;
  const hints = options.hints ?? [];
  const matchers = listAgents(options.agents);

  if (evidence.headRepositoryFullName !== undefined && evidence.headRepositoryFullName?.toLowerCase() !== evidence.repositoryFullName.toLowerCase()) {
    return { actorClass: "fork", login, basis: "fork", hints };
  }
  if (evidence.sender.type === "Bot") {
    const agent = matchers.find((matcher) => matcher.logins.some((entry) => matchesLogin(login, entry)));
    if (agent) return { actorClass: "agent", login, basis: "identity", agent: agent.name, hints };
  }
  const byBranch = matchers.find((matcher) => matcher.branchPatterns.some((pattern) => matchesBranch(evidence.branch, pattern)));
  if (byBranch) return { actorClass: "agent", login, basis: "branch-pattern", agent: byBranch.name, hints };
  return { actorClass: "human", login, basis: "default", hints };
}

function listAgents(agents: OrgPolicy["agents"]): AgentMatcher[] {
  const builtIn = agents.builtIn ? BUILT_IN_AGENTS.map((agent) => ({ name: agent.name, logins: [...agent.logins], branchPatterns: [...agent.branchPatterns] })) : [];
  return [...builtIn, { name: "org-listed agent", logins: agents.logins, branchPatterns: agents.branchPatterns }];
}

// An entry matches the login itself, or names the GitHub App whose bot login is `<slug>[bot]`.
function matchesLogin(login: string, entry: string): boolean {
  const candidate = login.toLowerCase();
  const listed = entry.toLowerCase();
  return candidate === listed || candidate === `${listed}[bot]`;
}

/** Returns whether a branch matches a pattern in which `*` matches any text, `/` included. */
export function matchesBranch(branch: string, pattern: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(branch);
}
