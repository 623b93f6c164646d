import { describe, expect, it } from "vitest";
import { judgeLiveEnvironment, type LiveEnvironment } from "../../src/policy/judge-live-environment.ts";
import { orgPolicySchema } from "../../src/policy/org-policy-schema.ts";
import { renderPolicyImpact } from "../../src/policy/render-policy-review.ts";

function environment(annotations: Record<string, string>): LiveEnvironment {
  return {
    name: "app-pr-7-abc",
    labels: { "paddock.dev/repository-id": "42", "paddock.dev/pull-request": "7" },
    annotations: {
      "paddock.dev/repository": "acme/app",
      "paddock.dev/head-sha": "d".repeat(40),
      "paddock.dev/expires-at": "2026-12-05T10:00:00.000Z",
      "paddock.dev/actor-class": "agent",
      "paddock.dev/cpu": "2",
      "paddock.dev/memory": "4Gi",
      "paddock.dev/egress": "registry.npmjs.org",
      "paddock.dev/ttl": "24h",
      "paddock.dev/set-by-repository": "cpu,memory,ttl",
      ...annotations,
    },
  };
}

function judge(policy: unknown, annotations: Record<string, string> = {}) {
  return judgeLiveEnvironment({ environment: environment(annotations), policy: orgPolicySchema.parse(policy) });
}

describe("judgeLiveEnvironment", () => {
  it("keeps an environment within the new policy", () => {
    expect(judge({ profiles: { agent: { egress: ["registry.npmjs.org"] } } })).toEqual({
      name: "app-pr-7-abc",
      repository: "acme/app",
      repositoryId: 42,
      pullRequest: 7,
      headSha: "d".repeat(40),
      actorClass: "agent",
      outcome: "unchanged",
      reasons: [],
    });
  });

  it("denies an environment whose repository asks for more than the new caps", () => {
    const verdict = judge({ profiles: { agent: { resources: { cpu: "1", memory: "2Gi" } } } });
    expect(verdict.outcome).toBe("deny");
    expect(verdict.reasons).toEqual([
      "cpu 2, set by the repository, exceeds profiles.agent.resources.cpu 1",
      "memory 4Gi, set by the repository, exceeds profiles.agent.resources.memory 2Gi",
      "egress host registry.npmjs.org is not in profiles.agent.egress []",
    ]);
  });

  it("shrinks an environment whose values came from the old profile", () => {
    const verdict = judge({ profiles: { agent: { egress: ["*"], resources: { cpu: "1" }, ttl: { default: "1h", max: "4h" } } } }, { "paddock.dev/set-by-repository": "memory" });
    expect([verdict.outcome, verdict.reasons]).toEqual([
      "shrink",
      ["cpu 2 exceeds profiles.agent.resources.cpu 1, so its next run gets 1", "ttl 24h exceeds profiles.agent.ttl.max 4h, so its next run gets 4h"],
    ]);
  });

  it("denies any host under a new denylist", () => {
    const verdict = judge({ profiles: { agent: { egress: ["*"] } }, deny: { egress: ["bad.example"] } }, { "paddock.dev/egress": "*" });
    expect([verdict.outcome, verdict.reasons]).toEqual(["deny", ["egress to any host cannot be combined with deny.egress"]]);
  });

  it("cannot judge an environment without recorded settings", () => {
    const verdict = judge({}, { "paddock.dev/actor-class": "robot" });
    expect([verdict.outcome, verdict.reasons]).toEqual(["unknown", ["created without recorded settings, so it cannot be judged"]]);
  });
});

describe("renderPolicyImpact", () => {
  it("lists denied and shrunk environments", () => {
    const verdicts = [
      judge({ profiles: { agent: { resources: { cpu: "1" }, egress: ["*"] } } }),
      judge({ profiles: { agent: { egress: ["*"], ttl: { max: "4h", default: "1h" } } } }, { "paddock.dev/set-by-repository": "cpu,memory" }),
    ];
    const review = renderPolicyImpact({ verdicts, source: "org policy acme/.github/.github/paddock-policy.yml@abc", action: "torn down after merge", listed: true });
    expect(review.title).toBe("Valid policy: 1 of 2 live environments denied, 1 shrunk");
    expect(review.summary).toBe(
      [
        "**Valid org policy acme/.github/.github/paddock-policy.yml@abc.**",
        "**Would be denied (torn down after merge):**\n- `app-pr-7-abc` (acme/app#7, agent): cpu 2, set by the repository, exceeds profiles.agent.resources.cpu 1",
        "**Would shrink to the new caps at their next run:**\n- `app-pr-7-abc` (acme/app#7, agent): ttl 24h exceeds profiles.agent.ttl.max 4h, so its next run gets 4h",
      ].join("\n\n"),
    );
  });
});
