import { describe, expect, it } from "vitest";
import { buildPendingAuditRecord, describeRecordCost } from "../../src/audit/build-audit-record.ts";
import { PaddockError } from "../../src/errors.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";

const NOW = new Date("2026-12-04T11:00:00.000Z");
const ID = "00000000-0000-4000-8000-000000000001";

describe("buildPendingAuditRecord", () => {
  it("fills version, id, time and nulls", () => {
    const record = buildPendingAuditRecord({
      input: { action: "environment.created", actor: { login: "octocat", id: 1, type: "User" }, repository: { id: 7, fullName: "acme/web" } },
      now: NOW,
      id: ID,
    });

    expect(record).toEqual({
      schemaVersion: 1,
      id: ID,
      time: "2026-12-04T11:00:00.000Z",
      action: "environment.created",
      actor: { login: "octocat", id: 1, type: "User" },
      agent: null,
      authorizer: null,
      repository: { id: 7, fullName: "acme/web" },
      pullRequest: null,
      branch: null,
      headSha: null,
      deliveryId: null,
      checkRunId: null,
      environment: null,
      policy: null,
      decision: null,
      step: null,
      teardownReason: null,
      cost: null,
    });
  });

  it("keeps the decision time from the input", () => {
    expect(buildPendingAuditRecord({ input: makeRecordInput(), now: NOW }).time).toBe(FIXTURE_TIME.toISOString());
  });

  it("makes a new UUID per record", () => {
    const first = buildPendingAuditRecord({ input: makeRecordInput(), now: NOW });
    const second = buildPendingAuditRecord({ input: makeRecordInput(), now: NOW });

    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.id).not.toBe(second.id);
  });

  it("requires a teardown reason on teardown", () => {
    const call = () => buildPendingAuditRecord({ input: makeRecordInput({ action: "environment.torn_down", step: null }), now: NOW });

    expect(call).toThrow(PaddockError);
    expect(call).toThrow("the environment.torn_down audit record has invalid fields: teardownReason: environment.torn_down needs teardownReason");
  });

  it("requires a step on step actions", () => {
    expect(() => buildPendingAuditRecord({ input: makeRecordInput({ step: null }), now: NOW })).toThrow("step: step.finished needs step");
  });

  it("requires a denial on policy.denied", () => {
    const call = () => buildPendingAuditRecord({ input: makeRecordInput({ action: "policy.denied", step: null }), now: NOW });

    expect(call).toThrow("decision: policy.denied needs a decision with allowed false");
  });

  it("rejects a head SHA that is not hex", () => {
    const call = () => buildPendingAuditRecord({ input: makeRecordInput({ headSha: "main" }), now: NOW });

    expect(call).toThrow("headSha: Invalid string: must match pattern");
  });
});

describe("describeRecordCost", () => {
  it("converts a step cost", () => {
    const cost = describeRecordCost({
      currency: "EUR",
      nanos: 17_408_250n,
      method: "measured",
      durationMs: 1,
      billed: { cpuMilliCoreMs: 0n, memoryByteMs: 0n, gpuMs: 0n, storageByteMs: 0n },
    });

    expect(cost).toEqual({ currency: "EUR", amountNanos: 17_408_250, method: "measured" });
  });
});
