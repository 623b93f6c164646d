import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describeCutBytes, truncateCharacters, truncateUtf8 } from "../checks/output-limits.ts";
import type { TestFailure } from "../checks/check-run-view.ts";
import { createBuiltInEntityDecoder } from "./junit-entity-decoder.ts";
import { DEFAULT_CHECKOUT_PREFIXES, locateFailure } from "./junit-location.ts";
import { ATTRIBUTES_KEY, childElements, readElement, TEXT_KEY, type JUnitXmlElement } from "./junit-xml-element.ts";

/** Maximum report size, in UTF-8 bytes. Larger reports are rejected before parsing. */
export const MAX_JUNIT_REPORT_BYTES = 10 * 1024 * 1024;
/** Maximum number of failures kept from one report. The rest are only counted in `failuresOmitted`. */
export const MAX_JUNIT_FAILURES = 1_000;
/** Maximum size of one failure's `details`, in UTF-8 bytes. */
export const MAX_FAILURE_DETAILS_BYTES = 16_384;
/** Maximum length of a failure title or message, in characters. */
export const MAX_FAILURE_LINE_CHARACTERS = 1_000;
/** Maximum element nesting depth parsed, far above the few levels JUnit reports use. */
export const MAX_JUNIT_NESTING = 100;

/** Suite names that test runners write by default, which carry no information about the test. */
const GENERIC_SUITE_NAMES = new Set(["pytest", "root suite"]);
const PATH_LIKE_NAME = /\/|\.(?:[cm]?[jt]sx?|py|rb|go|rs|java|kt|php|cs|swift)$/;

/** Counts and located failures of a JUnit XML report, or the reason it could not be read. */
export type JUnitReport =
  | {
      ok: true;
      total: number;
      failed: number;
      errors: number;
      skipped: number;
      /** At most MAX_JUNIT_FAILURES entries, failures and errors in report order. */
      failures: TestFailure[];
      /** Failed or errored test cases left out of `failures` because of the limit. */
      failuresOmitted: number;
    }
  | { ok: false; problem: string };

interface SuiteFrame {
  element: JUnitXmlElement;
  suitePath: string[];
}

/**
 * Parses a JUnit XML report: `<testsuites>` or a bare `<testsuite>`, nested suites, and test
 * cases with `failure`, `error` or `skipped` children. DTDs are never resolved and only the
 * five XML built-in entities are expanded. Failures are located in the repository with
 * `checkoutPrefixes` (default `/workspace/`) stripped from absolute paths.
 */
export function parseJUnitReport(options: { xml: string; checkoutPrefixes?: readonly string[] }): JUnitReport {
  const { xml, checkoutPrefixes = DEFAULT_CHECKOUT_PREFIXES } = options;

  // 1. Bound the input before parsing.
  const bytes = Buffer.byteLength(xml, "utf8");
  if (bytes > MAX_JUNIT_REPORT_BYTES) {
    return { ok: false, problem: `report is ${bytes} bytes, over the limit of ${MAX_JUNIT_REPORT_BYTES} bytes` };
  }

  // 2. Reject malformed XML, which the parser alone would read leniently.
  // NOTE: XMLValidator is deprecated in fast-xml-parser 5 in favour of the fast-xml-validator package.
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    return { ok: false, problem: `report is not well-formed XML at line ${line}, column ${col}: ${msg}` };
  }

  // 3. Parse and find the root suites.
  const roots = findRootSuites(xml);
  if (!roots.ok) return roots;

  // 4. Walk every suite in document order and tally its test cases.
  return tallyTestCases(roots.suites, checkoutPrefixes);
}

function findRootSuites(xml: string): { ok: true; suites: SuiteFrame[] } | { ok: false; problem: string } {
  let tree: unknown;
  try {
    tree = createParser().parse(xml);
  } catch (error) {
    return { ok: false, problem: `report could not be parsed: ${error instanceof Error ? error.message : String(error)}` };
  }

  const document = readElement(tree);
  const suites: SuiteFrame[] = [
    ...childElements(document, "testsuites").map((element) => ({ element, suitePath: [] })),
    ...childElements(document, "testsuite").map((element) => ({ element, suitePath: suiteName(element) })),
  ];
  if (suites.length === 0) {
    return { ok: false, problem: "report has no <testsuites> or <testsuite> root element, so it is not JUnit XML" };
  }
  return { ok: true, suites };
}

function tallyTestCases(roots: SuiteFrame[], checkoutPrefixes: readonly string[]): JUnitReport {
  const report = { ok: true as const, total: 0, failed: 0, errors: 0, skipped: 0, failures: [] as TestFailure[], failuresOmitted: 0 };
  const stack = [...roots].reverse();

  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    for (const testCase of childElements(frame.element, "testcase")) {
      report.total += 1;
      const failure = childElements(testCase, "failure")[0];
      const error = childElements(testCase, "error")[0];
      if (failure) report.failed += 1;
      else if (error) report.errors += 1;
      else if (childElements(testCase, "skipped").length > 0) report.skipped += 1;

      const problem = failure ?? error;
      if (!problem) continue;
      if (report.failures.length >= MAX_JUNIT_FAILURES) report.failuresOmitted += 1;
      else report.failures.push(describeFailure({ testCase, problem, suitePath: frame.suitePath, checkoutPrefixes }));
    }

    const nested = childElements(frame.element, "testsuite").map((element) => ({
      element,
      suitePath: [...frame.suitePath, ...suiteName(element)],
    }));
    stack.push(...nested.reverse());
  }
  return report;
}

function describeFailure(options: {
  testCase: JUnitXmlElement;
  problem: JUnitXmlElement;
  suitePath: string[];
  checkoutPrefixes: readonly string[];
}): TestFailure {
  const { testCase, problem, suitePath, checkoutPrefixes } = options;
  const messageAttribute = problem.attributes["message"] ?? "";
  const body = problem.text.trim();

  const location = locateFailure({
    fileAttribute: testCase.attributes["file"],
    lineAttribute: testCase.attributes["line"],
    classname: testCase.attributes["classname"],
    texts: [body, messageAttribute],
    checkoutPrefixes,
  });

  const message = firstLine(messageAttribute) || firstLine(body) || problem.attributes["type"] || "test failed";
  const failure: TestFailure = {
    file: location.file,
    line: location.line,
    title: truncateCharacters(describeTestCase(testCase, suitePath), MAX_FAILURE_LINE_CHARACTERS),
    message: truncateCharacters(message, MAX_FAILURE_LINE_CHARACTERS),
  };
  const details = body || (messageAttribute.includes("\n") ? messageAttribute.trim() : "");
  if (details) failure.details = truncateUtf8({ text: details, maxBytes: MAX_FAILURE_DETAILS_BYTES, note: describeCutBytes });
  return failure;
}

// A title such as `group > throws`: descriptive suite names, then the test name, without
// repeating a suite name that the test name already starts with (Jest and Vitest include it).
function describeTestCase(testCase: JUnitXmlElement, suitePath: string[]): string {
  const name = testCase.attributes["name"]?.trim() || testCase.attributes["classname"]?.trim() || "unnamed test";
  const suites = suitePath.filter(
    (suite) => !GENERIC_SUITE_NAMES.has(suite.toLowerCase()) && !PATH_LIKE_NAME.test(suite) && !name.startsWith(suite),
  );
  return [...suites, name].join(" > ");
}

function suiteName(element: JUnitXmlElement): string[] {
  const name = element.attributes["name"]?.trim();
  return name ? [name] : [];
}

function firstLine(text: string): string {
  return text.trim().split("\n", 1)[0]?.trim() ?? "";
}

function createParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    attributesGroupName: ATTRIBUTES_KEY,
    textNodeName: TEXT_KEY,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    entityDecoder: createBuiltInEntityDecoder(),
    maxNestedTags: MAX_JUNIT_NESTING,
  });
}
