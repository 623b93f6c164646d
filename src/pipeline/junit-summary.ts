import { z } from "zod";

import type { TestFailure } from "../checks/check-run-view.ts";
import { truncateCharacters } from "../checks/output-limits.ts";
import type { JUnitReport } from "./junit.ts";
import { DEFAULT_CHECKOUT_PREFIXES, locateFailure } from "./junit-location.ts";

/** Value of the `paddock` field that marks a JSON document as a JUnit summary of this version. */
export const JUNIT_SUMMARY_FORMAT = "junit-summary/v1";
/** Maximum size of a container's termination message, in bytes; Kubernetes cuts longer messages. */
export const MAX_TERMINATION_MESSAGE_BYTES = 4_096;
/** Maximum length of a summary's title or message after parsing, in characters. */
export const MAX_SUMMARY_LINE_CHARACTERS = 1_000;

const count = z.number().int().nonnegative();
const summaryCase = z.object({
  kind: z.enum(["failure", "error"]),
  name: z.string().optional(),
  classname: z.string().optional(),
  file: z.string().optional(),
  line: z.string().optional(),
  message: z.string().optional(),
  /** First `path:line` found in the failure's body, the stack frame the location comes from. */
  frame: z.string().optional(),
});

/**
 * The compact JSON summary of a JUnit XML report that a step writes to its termination message,
 * where only 4,096 bytes fit: counts, then failed and errored cases until the space runs out.
 * `omitted` counts the cases left out. A `problem` replaces the counts when the report was
 * missing or unreadable.
 */
export const junitSummarySchema = z.union([
  z.object({
    paddock: z.literal(JUNIT_SUMMARY_FORMAT),
    tests: count,
    failed: count,
    errors: count,
    skipped: count,
    omitted: count,
    cases: z.array(summaryCase),
  }),
  z.object({ paddock: z.literal(JUNIT_SUMMARY_FORMAT), problem: z.string() }),
]);

/** A parsed JUnit summary. */
export type JUnitSummary = z.infer<typeof junitSummarySchema>;

/** Returns true when `text` looks like a JUnit summary, before it is validated. */
export function isJUnitSummaryText(text: string): boolean {
  return text.trimStart().startsWith("{") && text.includes(`"${JUNIT_SUMMARY_FORMAT}"`);
}

/**
 * Reads a JUnit summary into the same counts and located failures that `parseJUnitReport`
 * returns for the XML. Titles carry the test name only, because the summary has no suite names.
 */
export function readJUnitSummary(options: { json: string; checkoutPrefixes?: readonly string[] }): JUnitReport {
  const checkoutPrefixes = options.checkoutPrefixes ?? DEFAULT_CHECKOUT_PREFIXES;
  let document: unknown;
  try {
    document = JSON.parse(options.json);
  } catch (error) {
    return { ok: false, problem: `summary is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }

  const parsed = junitSummarySchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `summary is not a ${JUNIT_SUMMARY_FORMAT} document: ${issue?.path.join(".") || "root"}: ${issue?.message ?? "invalid"}` };
  }
  const summary = parsed.data;
  if ("problem" in summary) return { ok: false, problem: summary.problem };

  const failures = summary.cases.map((testCase): TestFailure => {
    const message = firstLine(testCase.message ?? "") || "test failed";
    const location = locateFailure({
      fileAttribute: testCase.file,
      lineAttribute: testCase.line,
      classname: testCase.classname,
      texts: [testCase.frame ?? "", message],
      checkoutPrefixes,
    });
    const title = testCase.name?.trim() || testCase.classname?.trim() || "unnamed test";
    return {
      file: location.file,
      line: location.line,
      title: truncateCharacters(title, MAX_SUMMARY_LINE_CHARACTERS),
      message: truncateCharacters(message, MAX_SUMMARY_LINE_CHARACTERS),
    };
  });
  const { tests, failed, errors, skipped, omitted } = summary;
  return { ok: true, total: tests, failed, errors, skipped, failures, failuresOmitted: omitted };
}

function firstLine(text: string): string {
  return text.trim().split("\n", 1)[0]?.trim() ?? "";
}
