import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES } from "../../src/config/parse-config-file.ts";
import { fetchOrgPolicy, readOrgPolicy } from "../../src/policy/load-org-policy.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { POLICY_COMMIT, serveOrgPolicy } from "./support/serve-org-policy.ts";

const FILE = ".github/paddock-policy.yml";

function problemsOf(text: string) {
  const lookup = readOrgPolicy({ text, source: { location: "test" } });
  return lookup.kind === "invalid" ? lookup.problems : lookup.kind;
}

describe("org policy file", () => {
  it("accepts a full policy", () => {
    const text = [
      "repoSettings: allow",
      "agents: { logins: [acme-coder], branchPatterns: [ai/*] }",
      "profiles:",
      "  agent:",
      "    resources: { cpu: 2, memory: 4Gi, pods: 3 }",
      "    ttl: { default: 2h, max: 8h }",
      "    concurrency: { perRepository: 5, perActor: 2 }",
      "    egress: [registry.npmjs.org]",
      "    registries: [ghcr.io]",
      "    approval: none",
      "deny: { registries: [quay.io] }",
      "budgets: { currency: USD, daily: { repository: 25, actorClass: { agent: '7.50' } } }",
      "onPolicyChange: teardown",
      "",
    ].join("\n");
    const lookup = readOrgPolicy({ text, source: { location: "test" } });
    expect(lookup.kind).toBe("policy");
    if (lookup.kind === "policy") {
      expect(lookup.policy.profiles.agent?.resources).toEqual({ cpu: "2", memory: "4Gi", pods: 3 });
      expect(lookup.policy.budgets?.daily).toEqual({ repository: "25", actorClass: { agent: "7.50" } });
      expect(lookup.policy.onPolicyChange).toBe("teardown");
    }
  });

  it("rejects invalid YAML at its line", () => {
    expect(problemsOf("profiles: [\n  agent: 1\n")).toEqual([
      { file: FILE, line: 3, column: 1, field: "", message: "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" },
    ]);
  });

  it("rejects a duplicate key", () => {
    expect(problemsOf("repoSettings: allow\nrepoSettings: forbid\n")).toEqual([
      { file: FILE, line: 2, column: 1, field: "", message: 'duplicate key "repoSettings": each key may appear once in a mapping, so remove or rename one' },
    ]);
  });

  it("rejects aliases that expand without bound", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]"].join("\n");
    expect(problemsOf(bomb)).toEqual([
      { file: FILE, line: 1, column: 1, field: "", message: expect.stringMatching(/^YAML aliases expand too far \(.+\): use fewer than 100 alias references$/) },
    ]);
  });

  it("rejects a file over 1 MB before parsing it", () => {
    const text = `# ${"x".repeat(MAX_CONFIG_BYTES)}\n`;
    expect(problemsOf(text)).toEqual([
      { file: FILE, line: 1, column: 1, field: "", message: `file is ${MAX_CONFIG_BYTES + 3} bytes, over the limit of ${MAX_CONFIG_BYTES} bytes: shorten it` },
    ]);
  });

  it("names an unknown field and the nearest known one", () => {
    expect(problemsOf("profiles:\n  agent:\n    resorces:\n      cpu: 2\n")).toEqual([
      { file: FILE, line: 3, column: 5, field: "profiles.agent.resorces", message: 'unknown field "resorces": did you mean "resources"?' },
    ]);
    expect(problemsOf("budget:\n  currency: USD\n")).toEqual([{ file: FILE, line: 1, column: 1, field: "budget", message: 'unknown field "budget": did you mean "budgets"?' }]);
  });

  it("rejects wrong units", () => {
    expect(problemsOf("profiles:\n  agent:\n    resources:\n      cpu: 2 cores\n      memory: 4GB\n")).toEqual([
      { file: FILE, line: 4, column: 12, field: "profiles.agent.resources.cpu", message: 'invalid CPU quantity "2 cores": use a positive Kubernetes quantity such as 1, 0.5 or 500m' },
      { file: FILE, line: 5, column: 15, field: "profiles.agent.resources.memory", message: 'invalid memory quantity "4GB": use a Kubernetes quantity such as 4Gi (binary units)' },
    ]);
  });

  it("rejects zero and negative caps", () => {
    expect(problemsOf("profiles:\n  agent:\n    resources:\n      cpu: 0\n      pods: 0\n    concurrency:\n      perRepository: -1\n")).toEqual([
      { file: FILE, line: 4, column: 12, field: "profiles.agent.resources.cpu", message: 'invalid CPU quantity "0": use a positive Kubernetes quantity such as 1, 0.5 or 500m' },
      { file: FILE, line: 5, column: 13, field: "profiles.agent.resources.pods", message: "invalid count 0: a cap must be at least 1" },
      { file: FILE, line: 7, column: 22, field: "profiles.agent.concurrency.perRepository", message: "invalid count -1: a cap must be at least 1" },
    ]);
    expect(problemsOf("budgets:\n  currency: USD\n  daily:\n    repository: 0\n")).toEqual([
      { file: FILE, line: 4, column: 17, field: "budgets.daily.repository", message: 'invalid amount "0": use a positive decimal with at most 6 decimals, such as "25" or "7.50"' },
    ]);
  });

  it("rejects a registry both allowed and denied", () => {
    expect(problemsOf("deny:\n  registries: [quay.io]\nprofiles:\n  agent:\n    registries: [docker.io, quay.io]\n")).toEqual([
      { file: FILE, line: 5, column: 29, field: "profiles.agent.registries.1", message: '"quay.io" is both allowed here and denied in deny.registries: remove it from one of the lists' },
    ]);
  });

  it("rejects __proto__ and constructor keys", () => {
    expect(problemsOf("profiles:\n  __proto__:\n    cpu: '64'\n  constructor: {}\n")).toEqual([
      { file: FILE, line: 2, column: 3, field: "", message: 'key "__proto__" is not allowed, because it names JavaScript prototype machinery: remove it' },
      { file: FILE, line: 4, column: 3, field: "", message: 'key "constructor" is not allowed, because it names JavaScript prototype machinery: remove it' },
    ]);
    expect(({} as Record<string, unknown>).cpu).toBeUndefined();
  });

  it("rejects secrets for forks", () => {
    expect(problemsOf("profiles:\n  fork:\n    secrets: true\n")).toEqual([
      { file: FILE, line: 3, column: 14, field: "profiles.fork.secrets", message: "secrets are never mounted for fork pull requests: set false or remove the field" },
    ]);
  });

  it("reports fork secrets beside other errors", () => {
    expect(problemsOf("profiles:\n  fork:\n    secrets: true\n  human:\n    approval: superuser\n")).toEqual([
      { file: FILE, line: 5, column: 15, field: "profiles.human.approval", message: "invalid approval level: use one of none, write, maintain, admin" },
      { file: FILE, line: 3, column: 14, field: "profiles.fork.secrets", message: "secrets are never mounted for fork pull requests: set false or remove the field" },
    ]);
  });

  it("locates an empty key on its line", () => {
    expect(problemsOf("repoSettings: allow\n: x\n")).toEqual([
      {
        file: FILE,
        line: 2,
        column: 1,
        field: "",
        message: "empty or null key: write a field name before the ':' (known fields: $schema, repoSettings, agents, profiles, deny, budgets, cost, preview, build, onPolicyChange)",
      },
    ]);
  });

  it("rejects budgets in another currency than the prices", () => {
    expect(problemsOf("budgets:\n  currency: EUR\n  daily:\n    repository: 10\n")).toEqual([
      { file: FILE, line: 2, column: 13, field: "budgets.currency", message: "budgets are in EUR but prices are in USD: use the same currency in budgets.currency and cost.currency" },
    ]);
  });

  it("rejects profile caps over the config maximum", () => {
    expect(problemsOf('profiles:\n  human:\n    resources: { cpu: "99999999999999999999", memory: 99999999999999999999Gi }\n    ttl: { max: 99999999999d }\n')).toEqual([
      { file: FILE, line: 3, column: 23, field: "profiles.human.resources.cpu", message: 'CPU quantity "99999999999999999999" is more than the maximum of 1024 cores: request fewer cores, such as 4' },
      { file: FILE, line: 3, column: 55, field: "profiles.human.resources.memory", message: 'memory quantity "99999999999999999999Gi" is more than the maximum of 64Ti: request less memory, such as 8Gi' },
      { file: FILE, line: 4, column: 17, field: "profiles.human.ttl.max", message: 'ttl "99999999999d" is longer than the maximum of 365d: set a shorter lifetime such as 24h or 7d' },
    ]);
  });

  it("rejects a default TTL longer than the maximum", () => {
    expect(problemsOf("profiles:\n  human:\n    ttl: { default: 48h, max: 24h }\n")).toEqual([
      { file: FILE, line: 3, column: 21, field: "profiles.human.ttl.default", message: "ttl.default 48h is longer than ttl.max 24h: shorten it" },
    ]);
  });
});

describe("fetchOrgPolicy", () => {
  let fake: FakeGitHub;
  const silent = () => undefined;
  const octokit = new Octokit({ log: { debug: silent, info: silent, warn: silent, error: silent } });

  beforeEach(() => {
    fake = createFakeGitHub({ requireAuth: false });
  });

  afterEach(() => {
    fake.close();
    fake.assertNoViolations();
  });

  it("pins the policy to the commit that last changed it", async () => {
    serveOrgPolicy(fake, { owner: "acme", text: "repoSettings: forbid\n" });
    const lookup = await fetchOrgPolicy({ octokit, owner: "acme" });
    expect(lookup).toMatchObject({
      kind: "policy",
      policy: { repoSettings: "forbid" },
      source: { kind: "file", repository: "acme/.github", path: FILE, commitSha: POLICY_COMMIT, location: `acme/.github/${FILE}@${POLICY_COMMIT.slice(0, 12)}` },
    });
    expect(fake.calls.map((call) => [call.operationId, call.query.ref ?? null])).toEqual([
      ["repos/get-content", null],
      ["repos/list-commits", null],
      ["repos/get-content", POLICY_COMMIT],
    ]);
  });

  it("applies the defaults without a .github repository or file", async () => {
    expect(await fetchOrgPolicy({ octokit, owner: "acme" })).toMatchObject({ kind: "policy", source: { kind: "defaults" } });
    fake.setFile({ owner: "acme", repo: ".github", ref: "main", path: "profile/README.md", content: "# Acme\n" });
    expect(await fetchOrgPolicy({ octokit, owner: "acme" })).toMatchObject({ kind: "policy", source: { kind: "defaults" } });
  });

  it.each([
    [403, "Resource not accessible by integration", "grant Paddock read access to that repository"],
    [500, "Server Error", "retry once GitHub answers again"],
    [503, "Service Unavailable", "retry once GitHub answers again"],
  ])("denies when GitHub answers %i", async (status, message, fix) => {
    fake.failNext("GET /repos/{owner}/{repo}/contents/{path}", { status, body: { message, status: String(status) } });
    const detail = `HTTP ${status}: ${message}`;
    expect(await fetchOrgPolicy({ octokit, owner: "acme" })).toEqual({
      kind: "unreadable",
      message: `org policy acme/.github/${FILE} could not be read (${detail}), so nothing runs: ${fix}`,
    });
  });

  it("reports an invalid policy with its problems", async () => {
    serveOrgPolicy(fake, { owner: "acme", text: "repoSettings: maybe\n" });
    expect(await fetchOrgPolicy({ octokit, owner: "acme" })).toMatchObject({
      kind: "invalid",
      problems: [{ file: FILE, line: 1, column: 15, field: "repoSettings", message: "invalid repoSettings: use allow or forbid" }],
    });
  });
});
