import { randomUUID } from "node:crypto";
import { toSafeNanos } from "../cost/cost-units.ts";
import type { StepCost } from "../cost/step-cost.ts";
import { PaddockError } from "../errors.ts";
import { AUDIT_SCHEMA_VERSION, pendingAuditRecordSchema, type AuditAction, type PendingAuditRecord } from "./audit-record-schema.ts";
import { redactJson, redactSecrets } from "./redact-secrets.ts";

type OptionalField =
  | "agent"
  | "authorizer"
  | "pullRequest"
  | "branch"
  | "headSha"
  | "deliveryId"
  | "checkRunId"
  | "environment"
  | "policy"
  | "decision"
  | "step"
  | "teardownReason"
  | "cost";

/** Input of a record from the app; fields left out are recorded as null. */
export type AuditRecordInput = { action: AuditAction; time?: Date } & Pick<PendingAuditRecord, "actor" | "repository"> &
  Partial<Pick<PendingAuditRecord, OptionalField>>;

/**
 * Builds a pending audit record: a new UUID, the time (`input.time` or `now`), every secret
 * redacted from every string, then checked against the record schema. Throws
 * `AUDIT_RECORD_INVALID` naming the invalid fields, never their values.
 */
export function buildPendingAuditRecord(options: { input: AuditRecordInput; now: Date; id?: string }): PendingAuditRecord {
  const { input, now } = options;
  const { time, ...fields } = input;
  const draft = {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id: options.id ?? randomUUID(),
    time: (time ?? now).toISOString(),
    agent: null,
    authorizer: null,
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
    ...fields,
  };

  const parsed = pendingAuditRecordSchema.safeParse(redactJson(draft));
  if (parsed.success) return parsed.data;

  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(record)"}: ${issue.message}`);
  throw new PaddockError("AUDIT_RECORD_INVALID", `the ${redactSecrets(String(input.action))} audit record has invalid fields: ${problems.join("; ")}`, {
    hint: "fix the caller that builds this record; nothing was spooled",
  });
}

/** Converts a metered step cost into a record's `cost` field. */
export function describeRecordCost(cost: StepCost): NonNullable<PendingAuditRecord["cost"]> {
  return { currency: cost.currency, amountNanos: toSafeNanos(cost.nanos), method: cost.method };
}
