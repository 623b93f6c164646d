/** Kinds of damage `paddock audit verify` reports. */
export type AuditProblemKind = "altered" | "missing" | "reordered" | "checkpoint";

/** The first thing wrong with a ledger: the sequence number it concerns and what is wrong there. */
export interface AuditProblem {
  sequence: number;
  kind: AuditProblemKind;
  message: string;
}

/** A file of the ledger as read from a checkout. */
export interface LedgerFile {
  /** Repository-relative path with `/` separators. */
  path: string;
  text: string;
}

/** Returns the problem with the lowest sequence; on a tie, the one listed first. */
export function pickFirstProblem(problems: ReadonlyArray<AuditProblem | null>): AuditProblem | null {
  let first: AuditProblem | null = null;
  for (const problem of problems) {
    if (problem && (first === null || problem.sequence < first.sequence)) first = problem;
  }
  return first;
}
