import { describe, expect, it } from "vitest";
import { readRepoConfig } from "../../src/config/load-repo-config.ts";
import type { RepoConfig } from "../../src/config/repo-config-schema.ts";
import type { ActorClassification } from "../../src/policy/actor-class.ts";
import { decideEnvironment, type LocatedConfig } from "../../src/policy/decide-environment.ts";
import { orgPolicySchema } from "../../src/policy/org-policy-schema.ts";

const HUMAN: ActorClassification = { actorClass: "human", login: "octocat", basis: "default", hints: [] };
const AGENT: ActorClassification = { actorClass: "agent", login: "Copilot", basis: "identity", agent: "copilot", hints: [] };
const FORK: ActorClassification = { actorClass: "fork", login: "stranger", basis: "fork", hints: [] };
const SOURCE = { kind: "file" as const, location: "acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f" };
const ORIGIN = "(org policy acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f)";
const IDLE = { live: { inRepository: 0, forActor: 0 }, spentToday: { repositoryNanos: 0n, actorClassNanos: 0n } };

function config(text: string): LocatedConfig<RepoConfig> {
  const lookup = readRepoConfig({ text });
  if (lookup.kind !== "valid") throw new Error(`test config is invalid: ${JSON.stringify(lookup)}`);
  return { value: lookup.config, file: lookup.file, locate: lookup.locate };
}

function decide(options: { policy?: unknown; text: string; actor?: ActorClassification; usage?: typeof IDLE; approval?: { login: string; permission: string } }) {
  const head = config(options.text);
  return decideEnvironment({
    policy: orgPolicySchema.parse(options.policy ?? {}),
    source: SOURCE,
    actor: options.actor ?? HUMAN,
    settings: { ...head, value: head.value.environment },
    steps: { ...head, value: head.value.steps },
    usage: options.usage ?? IDLE,
    ...(options.approval ? { approval: options.approval } : {}),
  });
}

describe("decideEnvironment", () => {
  it("allows an environment within the profile and shows its cost", () => {
    const decision = decide({ text: "steps:\n  - name: test\n    image: node:24\n    run: npm test\n" });
    // 1 CPU and 2Gi for 24h: 24 × 0.031611 + 48 × 0.004237 = 0.962040 USD.
    expect(decision).toMatchObject({ allowed: true, verdict: "allowed", violations: [], cost: { currency: "USD", nanos: "962040000", display: "0.9620 USD" } });
    expect(decision.reasons).toEqual([
      `allowed under the human profile: cpu 1, memory 2Gi, ttl 24h, no network, no secrets, budget projection (whole TTL) 0.9620 USD ${ORIGIN}`,
      "actor octocat is judged as human (no agent identity or agent branch pattern matched)",
    ]);
  });

  it("denies an agent asking for more CPU, located at the line", () => {
    const text = "environment:\n  resources:\n    cpu: \"3\"\nsteps:\n  - name: test\n    run: npm test\n";
    const decision = decide({ text, actor: AGENT });
    expect(decision.verdict).toBe("denied");
    expect(decision.violations).toEqual([
      {
        rule: "profiles.agent.resources.cpu",
        message: "environment.resources.cpu 3 exceeds profiles.agent.resources.cpu 2",
        location: { file: ".github/paddock.yml", line: 3, column: 10, field: "environment.resources.cpu" },
      },
    ]);
    expect(decision.reasons[0]).toBe(`environment.resources.cpu 3 exceeds profiles.agent.resources.cpu 2 ${ORIGIN}`);
  });

  it("denies an image from a registry outside the org's list", () => {
    const policy = { profiles: { human: { registries: ["ghcr.io"] } } };
    const decision = decide({ policy, text: "steps:\n  - name: build\n    image: ghcr.io/acme/builder:1\n    run: make\n  - name: test\n    image: quay.io/acme/test:1\n    run: make test\n" });
    expect(decision.violations).toEqual([
      {
        rule: "profiles.human.registries",
        message: "steps.1.image quay.io/acme/test:1 comes from quay.io, which is not in profiles.human.registries [ghcr.io]",
        location: { file: ".github/paddock.yml", line: 6, column: 12, field: "steps.1.image" },
      },
    ]);
  });

  it("denied registry and unpinned image", () => {
    const policy = { deny: { registries: ["docker.io"] }, profiles: { human: { requireImageDigest: true } } };
    const decision = decide({ policy, text: "steps:\n  - name: test\n    image: node:24\n    run: npm test\n" });
    expect(decision.violations.map((violation) => [violation.rule, violation.message])).toEqual([
      ["deny.registries", "steps.0.image node:24 comes from docker.io, which is in deny.registries"],
      ["profiles.human.requireImageDigest", "steps.0.image node:24 is not pinned by digest, which profiles.human.requireImageDigest requires: use image@sha256:<digest>"],
    ]);
  });

  it("rejects any environment section when the org forbids repository settings", () => {
    const decision = decide({ policy: { repoSettings: "forbid" }, text: "environment:\n  ttl: 1h\nsteps:\n  - name: test\n    run: npm test\n" });
    expect(decision.violations).toEqual([
      {
        rule: "repoSettings",
        message: "the environment section is not allowed, because repoSettings is forbid: remove it",
        location: { file: ".github/paddock.yml", line: 2, column: 3, field: "environment" },
      },
    ]);
    expect(decision.effective.ttl).toBe("24h");
  });

  it("denies when the repository already has as many environments as the cap", () => {
    const decision = decide({ text: "steps:\n  - name: test\n    run: npm test\n", actor: AGENT, usage: { ...IDLE, live: { inRepository: 10, forActor: 3 } } });
    expect(decision.violations).toEqual([
      { rule: "profiles.agent.concurrency.perRepository", message: "10 environments are already live in this repository and profiles.agent.concurrency.perRepository allows 10" },
      { rule: "profiles.agent.concurrency.perActor", message: "Copilot already has 3 live environments in this repository and profiles.agent.concurrency.perActor allows 3" },
    ]);
  });

  it("budget overrun denied with numbers", () => {
    const policy = { budgets: { currency: "USD", daily: { repository: "5", actorClass: { agent: "1" } } } };
    // 1 CPU and 2Gi for 4h: 4 × 0.031611 + 8 × 0.004237 = 0.160340 USD.
    const usage = { live: { inRepository: 0, forActor: 0 }, spentToday: { repositoryNanos: 4_900_000_000n, actorClassNanos: 900_000_000n } };
    const decision = decide({ policy, text: "steps:\n  - name: test\n    run: npm test\n", actor: AGENT, usage });
    expect(decision.cost).toEqual({ currency: "USD", nanos: "160340000", display: "0.1603 USD" });
    expect(decision.violations).toEqual([
      { rule: "budgets.daily.repository", message: "budget projection (whole TTL) 0.1603 USD exceeds what is left of budgets.daily.repository 5.0000 USD: 4.9000 USD spent today by this repository, 0.1000 USD left" },
      { rule: "budgets.daily.actorClass.agent", message: "budget projection (whole TTL) 0.1603 USD exceeds what is left of budgets.daily.actorClass.agent 1.0000 USD: 0.9000 USD spent today by agent environments in this repository, 0.1000 USD left" },
    ]);
  });

  it("allows a projected cost that exactly fits the budget", () => {
    const policy = { budgets: { currency: "USD", daily: { actorClass: { agent: "0.16034" } } } };
    expect(decide({ policy, text: "steps:\n  - name: test\n    run: npm test\n", actor: AGENT }).verdict).toBe("allowed");
  });

  it("projects each service for the whole TTL", () => {
    const head = config("services:\n  - name: db\n    image: postgres:17\n    port: 5432\n  - name: cache\n    image: redis:7\n    port: 6379\nsteps:\n  - name: test\n    image: node:24\n    run: npm test\n");
    const { images, services, expose } = head.value;
    const decision = decideEnvironment({
      policy: orgPolicySchema.parse({}),
      source: SOURCE,
      actor: HUMAN,
      settings: { ...head, value: head.value.environment },
      steps: { ...head, value: head.value.steps },
      stack: { ...head, value: { images, services, expose } },
      usage: IDLE,
    });

    // Three pods of 1 CPU and 2Gi (the steps and two services) for 24h: 3 × 0.962040 = 2.886120 USD.
    expect(decision.cost).toEqual({ currency: "USD", nanos: "2886120000", display: "2.8861 USD" });
  });

  it("keeps the approval an allowed fork relied on", () => {
    const text = "steps:\n  - name: test\n    image: node:24\n    run: npm test\n";
    const approval = { login: "maintainer", permission: "maintain" };

    expect(decide({ text, actor: FORK, approval }).approval).toEqual(approval);
    expect(decide({ text, actor: HUMAN, approval }).approval).toBeUndefined();
  });

  it("waits for approval of a fork and accepts a writer's approval", () => {
    const text = "steps:\n  - name: test\n    run: npm test\n";
    const waiting = decide({ text, actor: FORK });
    expect(waiting).toMatchObject({ allowed: false, verdict: "approval_required", violations: [] });
    expect(waiting.reasons[0]).toBe(`fork environments run only after someone with write permission or more (write, maintain, admin) approves this head commit ${ORIGIN}`);
    expect(decide({ text, actor: FORK, approval: { login: "maintainer", permission: "maintain" } }).verdict).toBe("allowed");
    expect(decide({ text, actor: FORK, approval: { login: "reader", permission: "triage" } }).verdict).toBe("approval_required");
  });

  it("denies rather than asks for approval when a rule is broken", () => {
    expect(decide({ text: "environment:\n  secrets: true\nsteps:\n  - name: test\n    run: npm test\n", actor: FORK }).verdict).toBe("denied");
  });

  it("says which caps it could not check", () => {
    const head = config("steps:\n  - name: test\n    run: npm test\n");
    const decision = decideEnvironment({ policy: orgPolicySchema.parse({ budgets: { currency: "USD", daily: { repository: 1 } } }), source: SOURCE, actor: HUMAN, steps: { ...head, value: head.value.steps } });
    expect(decision.reasons.slice(-2)).toEqual([
      "concurrency caps were not checked, because no list of live environments was available",
      "budgets were not checked, because no spend records were available",
    ]);
  });
});
