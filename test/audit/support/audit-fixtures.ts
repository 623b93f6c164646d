import type { AuditRecordInput } from "../../../src/audit/build-audit-record.ts";

/** The decision time most fixtures use. */
export const FIXTURE_TIME = new Date("2026-12-04T10:00:00.000Z");

/** Returns the input of a `step.finished` record for acme/web#12; tests override what they need. */
export function makeRecordInput(overrides: Partial<AuditRecordInput> = {}): AuditRecordInput {
  return {
    action: "step.finished",
    time: FIXTURE_TIME,
    actor: { login: "copilot-swe-agent[bot]", id: 1001, type: "Bot" },
    agent: { app: "copilot", signals: ["login copilot-swe-agent[bot]", "branch copilot/*"] },
    authorizer: { login: null, id: null, via: "org policy acme/.github" },
    repository: { id: 1296269, fullName: "acme/web" },
    pullRequest: 12,
    branch: "copilot/fix-login",
    headSha: "0123456789abcdef0123456789abcdef01234567",
    deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    checkRunId: 4,
    environment: { name: "web-pr-12-1a2b3c4d5e", provider: "local", cluster: null, namespace: null },
    policy: { source: "file", location: "acme/.github@main:.github/paddock-policy.yml", hash: "a".repeat(64) },
    decision: { allowed: true, reasons: ["within the org limits"] },
    step: { name: "test", status: "success", exitCode: 0, durationMs: 600_000 },
    cost: { currency: "USD", amountNanos: 13_361_667, method: "requested" },
    ...overrides,
  };
}
