import { describe, expect, it } from "vitest";
import type { PolicyDecision } from "../../src/policy/policy-decision.ts";
import { describeJudgementForAudit } from "../../src/service/audited-run.ts";

const EFFECTIVE = { actorClass: "fork", resources: { cpu: "1", memory: "2Gi" }, ttl: "24h", ttlSeconds: 86_400, egress: [], secrets: false, approval: "write" } as unknown as PolicyDecision["effective"];
const ACTOR = { actorClass: "fork", login: "stranger", basis: "fork", hints: [] } as PolicyDecision["actor"];
const FILE_SOURCE = { kind: "file", location: "acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f", sha256: "ab".repeat(32) } as const;

function decision(fields: Partial<PolicyDecision>): PolicyDecision {
  return { allowed: true, verdict: "allowed", reasons: ["allowed under the fork profile"], violations: [], actor: ACTOR, effective: EFFECTIVE, source: FILE_SOURCE, ...fields };
}

describe("describeJudgementForAudit", () => {
  it("names the approver of an approved run", () => {
    const judged = describeJudgementForAudit(decision({ approval: { login: "maintainer", permission: "maintain" } }));

    expect(judged).toEqual({
      policy: { source: "file", location: "acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f", hash: "ab".repeat(32) },
      decision: { allowed: true, reasons: ["allowed under the fork profile"] },
      authorizer: { login: "maintainer", id: null, via: "approval by a collaborator with maintain permission" },
    });
  });

  it("names the policy as authorizer without approval", () => {
    const judged = describeJudgementForAudit(decision({ source: { kind: "defaults" } }));

    expect(judged.policy).toEqual({ source: "defaults", location: null, hash: null });
    expect(judged.authorizer).toEqual({ login: null, id: null, via: "default org policy (no policy file)" });
  });

  it("names no authorizer for a denial", () => {
    const judged = describeJudgementForAudit(decision({ allowed: false, verdict: "denied", reasons: ["egress not allowed"] }));

    expect(judged.decision).toEqual({ allowed: false, reasons: ["egress not allowed"] });
    expect(judged.authorizer).toBeNull();
  });
});
