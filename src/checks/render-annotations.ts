import { renderAuditAnnotations } from "../audit/audit-annotations.ts";
import type { ConfigProblem } from "../config/config-problem.ts";
import type { CheckAnnotation } from "./check-annotation.ts";
import type { CheckRunView, LocatedViolation, TestFailure } from "./check-run-view.ts";
import { limitAnnotation } from "./output-limits.ts";
import { sanitizeOutput } from "./sanitize-output.ts";

/**
 * Maximum annotations on one check run: Paddock's own cap, which bounds completing a run to
 * 20 requests of 50. GitHub documents no total for apps.
 */
export const MAX_ANNOTATIONS_PER_CHECK_RUN = 1_000;

/** Annotations for a check run and how many were left out. */
export interface RenderedAnnotations {
  annotations: CheckAnnotation[];
  /** Annotations dropped because of MAX_ANNOTATIONS_PER_CHECK_RUN. */
  omitted: number;
  /** Test failures without a repository file, which cannot be annotated. */
  unlocated: number;
}

/** File the audit mirror annotations attach to: the config that every run reads. */
export const AUDIT_ANNOTATION_PATH = ".github/paddock.yml";

/**
 * Renders one `failure` annotation per config problem, on the config file and line and naming
 * the field, then one per located test failure, then one `notice` per audit record of the run.
 * GitHub's per-annotation limits are applied.
 */
export function renderAnnotations(view: CheckRunView): RenderedAnnotations {
  const candidates: CheckAnnotation[] = view.configProblems.map(annotateConfigProblem);
  for (const violation of view.decision?.violations ?? []) candidates.push(annotateViolation(violation));
  let unlocated = 0;
  for (const step of view.steps) {
    for (const failure of step.failures ?? []) {
      if (failure.file === "") unlocated += 1;
      else candidates.push(annotateTestFailure(failure));
    }
  }

  // The audit mirror comes last, so failures keep their place in the first request of 50.
  candidates.push(...renderAuditAnnotations({ records: view.auditRecords ?? [], path: AUDIT_ANNOTATION_PATH, line: 1 }));

  const capped = candidates.slice(0, MAX_ANNOTATIONS_PER_CHECK_RUN);
  return { annotations: capped.map(limitAnnotation), omitted: candidates.length - capped.length, unlocated };
}

function annotateConfigProblem(problem: ConfigProblem): CheckAnnotation {
  const line = positiveLine(problem.line);
  const message = sanitizeOutput(problem.field ? `${problem.field}: ${problem.message}` : problem.message);
  // A field path contains the file's own keys, which may hold escape codes.
  const field = sanitizeOutput(problem.field);
  return {
    path: problem.file,
    start_line: line,
    end_line: line,
    annotation_level: "failure",
    title: field ? `Invalid Paddock config: ${field}` : "Invalid Paddock config",
    message: message || "invalid config",
  };
}

function annotateViolation(violation: LocatedViolation): CheckAnnotation {
  const line = positiveLine(violation.line);
  return {
    path: violation.file,
    start_line: line,
    end_line: line,
    annotation_level: "failure",
    title: `Exceeds org policy: ${violation.rule}`,
    message: sanitizeOutput(violation.message) || "exceeds org policy",
  };
}

function annotateTestFailure(failure: TestFailure): CheckAnnotation {
  const line = positiveLine(failure.line);
  const annotation: CheckAnnotation = {
    path: failure.file,
    start_line: line,
    end_line: line,
    annotation_level: "failure",
    title: sanitizeOutput(failure.title),
    message: sanitizeOutput(failure.message) || "test failed",
  };
  const details = failure.details ? sanitizeOutput(failure.details) : "";
  if (details) annotation.raw_details = details;
  return annotation;
}

// GitHub numbers lines from 1; anything else in a view is a bug upstream, shown at line 1.
function positiveLine(line: number): number {
  return Number.isSafeInteger(line) && line >= 1 ? line : 1;
}
