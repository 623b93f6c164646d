import { describe, expect, it } from "vitest";
import { classifyActor, matchesBranch, type ActorEvidence } from "../../src/policy/classify-actor.ts";
import { readAgentTrailers } from "../../src/policy/commit-trailers.ts";
import { BUILT_IN_AGENTS } from "../../src/policy/default-agents.ts";
import { defaultOrgPolicy } from "../../src/policy/org-policy-schema.ts";

const AGENTS = defaultOrgPolicy().agents;
const REPOSITORY = "acme/app";

function evidence(overrides: Partial<ActorEvidence> & { login?: string; type?: string } = {}): ActorEvidence {
  const { login = "octocat", type = "User", ...rest } = overrides;
  return { sender: { login, type }, repositoryFullName: REPOSITORY, headRepositoryFullName: REPOSITORY, branch: "feature/login", ...rest };
}

describe("classifyActor", () => {
  const cases: Array<[string, ActorEvidence, { actorClass: string; basis: string; agent?: string }]> = [
    ["a person on a feature branch", evidence(), { actorClass: "human", basis: "default" }],
    ["Copilot's pull request author", evidence({ login: "Copilot", type: "Bot" }), { actorClass: "agent", basis: "identity", agent: "copilot" }],
    ["Copilot's push identity", evidence({ login: "copilot-swe-agent[bot]", type: "Bot" }), { actorClass: "agent", basis: "identity", agent: "copilot" }],
    ["Claude's app bot", evidence({ login: "claude[bot]", type: "Bot" }), { actorClass: "agent", basis: "identity", agent: "claude" }],
    ["Devin's app bot", evidence({ login: "devin-ai-integration[bot]", type: "Bot" }), { actorClass: "agent", basis: "identity", agent: "devin" }],
    ["Jules's app bot", evidence({ login: "google-labs-jules[bot]", type: "Bot" }), { actorClass: "agent", basis: "identity", agent: "jules" }],
    ["a login in another case", evidence({ login: "CLAUDE[BOT]", type: "Bot" }), { actorClass: "agent", basis: "identity", agent: "claude" }],
    ["an agent login sent by a user account", evidence({ login: "claude[bot]", type: "User" }), { actorClass: "human", basis: "default" }],
    ["an unlisted bot", evidence({ login: "dependabot[bot]", type: "Bot" }), { actorClass: "human", basis: "default" }],
    ["a person on a codex branch", evidence({ branch: "codex/fix-typo" }), { actorClass: "agent", basis: "branch-pattern", agent: "codex" }],
    ["a person on a nested copilot branch", evidence({ branch: "copilot/fix/deep" }), { actorClass: "agent", basis: "branch-pattern", agent: "copilot" }],
    ["a branch that only contains an agent name", evidence({ branch: "feature/claude/x" }), { actorClass: "human", basis: "default" }],
    ["a fork pull request", evidence({ headRepositoryFullName: "stranger/app" }), { actorClass: "fork", basis: "fork" }],
    ["a fork pull request from an agent bot", evidence({ login: "Copilot", type: "Bot", headRepositoryFullName: "stranger/app" }), { actorClass: "fork", basis: "fork" }],
    ["a fork pull request on an agent branch", evidence({ branch: "codex/x", headRepositoryFullName: "stranger/app" }), { actorClass: "fork", basis: "fork" }],
    ["a pull request whose fork was deleted", evidence({ headRepositoryFullName: null }), { actorClass: "fork", basis: "fork" }],
    ["a head repository named in another case", evidence({ headRepositoryFullName: "ACME/App" }), { actorClass: "human", basis: "default" }],
    ["a push without a head repository", evidence({ headRepositoryFullName: undefined, branch: "claude/issue-7" }), { actorClass: "agent", basis: "branch-pattern", agent: "claude" }],
  ];

  it.each(cases)("classifies %s", (_name, input, expected) => {
    const result = classifyActor({ evidence: input, agents: AGENTS });
    expect({ actorClass: result.actorClass, basis: result.basis, ...(result.agent ? { agent: result.agent } : {}) }).toEqual(expected);
    expect(result.login).toBe(input.sender.login);
  });

  it("adds org-listed logins and branch patterns", () => {
    const agents = { builtIn: true, logins: ["acme-coder"], branchPatterns: ["ai/*"] };
    expect(classifyActor({ evidence: evidence({ login: "acme-coder[bot]", type: "Bot" }), agents })).toMatchObject({ actorClass: "agent", basis: "identity", agent: "org-listed agent" });
    expect(classifyActor({ evidence: evidence({ branch: "ai/refactor" }), agents })).toMatchObject({ actorClass: "agent", basis: "branch-pattern" });
  });

  it("ignores the built-in list when the org turns it off", () => {
    const agents = { builtIn: false, logins: [], branchPatterns: [] };
    expect(classifyActor({ evidence: evidence({ login: "Copilot", type: "Bot", branch: "copilot/x" }), agents }).actorClass).toBe("human");
  });

  it("records trailer hints without trusting them", () => {
    const hints = readAgentTrailers("Fix login\n\nCo-authored-by: Claude <noreply@anthropic.com>\n");
    const result = classifyActor({ evidence: evidence(), agents: AGENTS, hints });
    expect(result).toEqual({ actorClass: "human", login: "octocat", basis: "default", hints: ['commit trailer "Co-authored-by: Claude <noreply@anthropic.com>"'] });
  });
});

describe("readAgentTrailers", () => {
  it.each([
    ["Co-authored-by: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>", ['commit trailer "Co-authored-by: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>"']],
    ["Generated-by: Copilot", ['commit trailer "Generated-by: Copilot"']],
    ["Co-authored-by: Mona Lisa <mona@example.com>", []],
    ["Mentions Claude in the body only", []],
  ])("reads %s", (message, expected) => {
    expect(readAgentTrailers(`Subject\n\n${message}\n`)).toEqual(expected);
  });
});

describe("matchesBranch", () => {
  it.each([
    ["copilot/x", "copilot/*", true],
    ["copilot", "copilot/*", false],
    ["xcopilot/y", "copilot/*", false],
    ["release.1", "release.*", true],
    ["releasex1", "release.*", false],
  ])("matches %s against %s", (branch, pattern, expected) => {
    expect(matchesBranch(branch, pattern)).toBe(expected);
  });
});

describe("BUILT_IN_AGENTS", () => {
  it("lists the common coding agents", () => {
    expect(BUILT_IN_AGENTS.map((agent) => agent.name)).toEqual(["copilot", "codex", "claude", "devin", "cursor", "jules", "amazon-q"]);
  });
});
