import { z } from "zod";

/** Version of the record format; a change that alters how records hash raises it. */
export const AUDIT_SCHEMA_VERSION = 1;

/** Decisions and actions that produce an audit record. */
export const AUDIT_ACTIONS = [
  "environment.created",
  "environment.updated",
  "step.started",
  "step.finished",
  "run.cancelled",
  "policy.denied",
  "policy.approved",
  "environment.torn_down",
] as const;

/** An action that produces an audit record. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Reasons an environment is torn down; `requested` is a workflow step or a person asking for it,
 * `branch_deleted` the deletion of the branch a branch environment belongs to.
 */
export const TEARDOWN_REASONS = ["closed", "merged", "ttl", "orphan", "policy", "requested", "branch_deleted"] as const;

const STEP_ACTIONS: readonly AuditAction[] = ["step.started", "step.finished"];
const SHA256_HEX = /^[0-9a-f]{64}$/;
const GIT_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

const text = z.string().max(4_096);
const accountId = z.number().int().nonnegative();

const accountSchema = z.strictObject({
  login: text.min(1),
  id: accountId,
  /** GitHub's account type, such as User, Bot or Organization. */
  type: text.min(1),
});

/** Fields every record has, before the ledger numbers and chains it. */
const pendingFields = {
  schemaVersion: z.literal(AUDIT_SCHEMA_VERSION),
  /** Random UUID given when the record is made; the ledger uses it to drop duplicates. */
  id: z.uuid(),
  /** When the decision or action happened (ISO 8601, UTC). */
  time: z.iso.datetime({ offset: false }),
  action: z.enum(AUDIT_ACTIONS),
  actor: accountSchema,
  /** The AI agent behind the actor, and the signals that identified it; null for a person. */
  agent: z.strictObject({ app: text.min(1), signals: z.array(text) }).nullable(),
  /** The account that allowed the action and how, or the policy itself with login and id null. */
  authorizer: z.strictObject({ login: text.min(1).nullable(), id: accountId.nullable(), via: text.min(1) }).nullable(),
  repository: z.strictObject({ id: accountId, fullName: text.min(1) }),
  pullRequest: z.number().int().positive().nullable(),
  branch: text.nullable(),
  headSha: z.string().regex(GIT_SHA).nullable(),
  deliveryId: text.nullable(),
  checkRunId: z.number().int().positive().nullable(),
  environment: z
    .strictObject({ name: text.min(1), provider: z.enum(["local", "kubernetes"]), cluster: text.nullable(), namespace: text.nullable() })
    .nullable(),
  /** The policy the decision was judged under; `hash` is the SHA-256 of the policy file's bytes. */
  policy: z
    .strictObject({ source: z.enum(["file", "defaults"]), location: text.nullable(), hash: z.string().regex(SHA256_HEX).nullable() })
    .nullable(),
  decision: z.strictObject({ allowed: z.boolean(), reasons: z.array(text) }).nullable(),
  step: z
    .strictObject({ name: text.min(1), status: text.nullable(), exitCode: z.number().int().nullable(), durationMs: z.number().int().nonnegative().nullable() })
    .nullable(),
  teardownReason: z.enum(TEARDOWN_REASONS).nullable(),
  /** Cost this action added, in whole nano-units (1e-9) of `currency`. An environment's total is the sum over its records. */
  cost: z
    .strictObject({
      currency: z.string().regex(/^[A-Z]{3}$/),
      amountNanos: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      method: z.enum(["measured", "requested", "mixed"]),
    })
    .nullable(),
};

/** Fields the ledger adds when it appends a record to the chain. */
const chainFields = {
  /** Position in the chain, from 1 without gaps. */
  sequence: z.number().int().positive(),
  /** `hash` of the record before, or 64 zeros for the first. */
  prev: z.string().regex(SHA256_HEX),
  /** SHA-256 of this record's RFC 8785 canonical JSON without `hash`. */
  hash: z.string().regex(SHA256_HEX),
};

function checkActionFields(record: z.output<z.ZodObject<typeof pendingFields>>, context: z.RefinementCtx): void {
  const needsStep = STEP_ACTIONS.includes(record.action);
  if (needsStep !== (record.step !== null)) {
    context.addIssue({ code: "custom", path: ["step"], message: needsStep ? `${record.action} needs step` : `${record.action} takes no step` });
  }
  const isTeardown = record.action === "environment.torn_down";
  if (isTeardown !== (record.teardownReason !== null)) {
    const message = isTeardown ? "environment.torn_down needs teardownReason" : `${record.action} takes no teardownReason`;
    context.addIssue({ code: "custom", path: ["teardownReason"], message });
  }
  if (record.action === "policy.denied" && record.decision?.allowed !== false) {
    context.addIssue({ code: "custom", path: ["decision"], message: "policy.denied needs a decision with allowed false" });
  }
}

/** A record made by a decision or action, durable in the spool, not yet in the chain. */
export const pendingAuditRecordSchema = z.strictObject(pendingFields).superRefine(checkActionFields);

/** A record as the ledger stores it: numbered and chained to the record before. */
export const auditRecordSchema = z.strictObject({ ...pendingFields, ...chainFields }).superRefine(checkActionFields);

export type PendingAuditRecord = z.output<typeof pendingAuditRecordSchema>;
export type AuditRecord = z.output<typeof auditRecordSchema>;

/** `prev` of the first record in a chain. */
export const GENESIS_HASH = "0".repeat(64);
