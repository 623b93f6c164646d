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

const HUMAN = { login: "octocat", id: 1, type: "User" };

/** Six records: three by copilot (one without cost) and one by codex on acme/web, two by octocat on acme/api (one in EUR). */
export const QUERY_INPUTS: AuditRecordInput[] = [
  makeRecordInput({ time: new Date("2026-12-04T09:00:00Z") }),
  makeRecordInput({ time: new Date("2026-12-04T10:00:00Z"), cost: { currency: "USD", amountNanos: 17_408_250, method: "measured" } }),
  makeRecordInput({ time: new Date("2026-12-04T11:00:00Z"), action: "step.started", cost: null }),
  makeRecordInput({ time: new Date("2026-12-04T12:00:00Z"), actor: HUMAN, agent: null, repository: { id: 2, fullName: "acme/api" } }),
  makeRecordInput({ time: new Date("2026-12-04T13:00:00Z"), actor: HUMAN, agent: null, repository: { id: 2, fullName: "acme/api" }, cost: { currency: "EUR", amountNanos: 50_000, method: "requested" } }),
  makeRecordInput({ time: new Date("2026-12-04T14:00:00Z"), agent: { app: "codex", signals: ["branch codex/*"] }, actor: { login: "codex-bot", id: 3, type: "Bot" } }),
];
