import type { CheckAnnotation } from "../checks/check-annotation.ts";
import { describeCutBytes, MAX_ANNOTATION_TEXT_BYTES, truncateUtf8 } from "../checks/output-limits.ts";
import { formatCost } from "../cost/format-cost.ts";
import type { AuditRecord, PendingAuditRecord } from "./audit-record-schema.ts";
import { canonicalizeJson } from "./canonical-json.ts";

/**
 * Turns audit records into notice annotations on one file line, the check run's mirror of the
 * ledger: a one-line message, and the record's canonical JSON (with its hash once chained) as
 * raw details. Records are already redacted when they are made. Pure.
 */
export function renderAuditAnnotations(options: {
  records: ReadonlyArray<PendingAuditRecord | AuditRecord>;
  /** Repository-relative file the annotations attach to, such as `.github/paddock.yml`. */
  path: string;
  line: number;
}): CheckAnnotation[] {
  const { records, path, line } = options;
  return records.map((record) => ({
    path,
    start_line: line,
    end_line: line,
    annotation_level: "notice",
    title: "sequence" in record ? `Paddock audit #${record.sequence}: ${record.action}` : `Paddock audit: ${record.action}`,
    message: truncateUtf8({ text: describeAuditRecord(record), maxBytes: MAX_ANNOTATION_TEXT_BYTES, note: describeCutBytes }),
    raw_details: truncateUtf8({ text: canonicalizeJson(record), maxBytes: MAX_ANNOTATION_TEXT_BYTES, note: describeCutBytes }),
  }));
}

/** Describes a record in one line, such as `step.finished by octocat (agent copilot) on acme/web#12 at 2026-…`. */
export function describeAuditRecord(record: PendingAuditRecord | AuditRecord): string {
  const agent = record.agent ? ` (agent ${record.agent.app})` : "";
  let subject = "";
  if (record.pullRequest !== null) subject = `#${record.pullRequest}`;
  else if (record.branch !== null) subject = `@${record.branch}`;
  const parts = [`${record.action} by ${record.actor.login}${agent} on ${record.repository.fullName}${subject} at ${record.time}`];

  if (record.step) parts.push(`step ${record.step.name}${record.step.status ? ` ${record.step.status}` : ""}`);
  if (record.decision) parts.push(`${record.decision.allowed ? "allowed" : "denied"}${record.decision.reasons.length > 0 ? `: ${record.decision.reasons.join("; ")}` : ""}`);
  if (record.authorizer) parts.push(`authorized by ${record.authorizer.login ?? "policy"} via ${record.authorizer.via}`);
  if (record.teardownReason) parts.push(`reason ${record.teardownReason}`);
  if (record.cost) parts.push(`cost ${formatCost({ nanos: record.cost.amountNanos, currency: record.cost.currency })} (${record.cost.method})`);
  return parts.join(" · ");
}
