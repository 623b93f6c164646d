import type { ConfigProblem } from "../config/config-problem.ts";
import { renderCostTable } from "../cost/render-cost-table.ts";
import { MAX_JUNIT_FAILURES } from "../pipeline/junit.ts";
import type { CheckRunNote, CheckRunView, DecisionView, ServiceProgress, StepProgress } from "./check-run-view.ts";
import { countTests, pluralize } from "./count-tests.ts";
import { formatDuration } from "./format-duration.ts";
import { escapeMarkdownLine, formatInlineCode } from "./markdown-text.ts";
import { formatCodeBlock, sanitizeOutput } from "./sanitize-output.ts";
import { describeCutBytes, MAX_CHECK_OUTPUT_BYTES, truncateUtf8 } from "./output-limits.ts";
import { MAX_ANNOTATIONS_PER_CHECK_RUN, type RenderedAnnotations } from "./render-annotations.ts";
import { describeStepStatus } from "./step-status-text.ts";

/** Length of the commit abbreviation in the summary footer, as `git log --oneline` shows it. */
export const SHORT_SHA_LENGTH = 7;

/**
 * Renders the check-run summary in Markdown: the headline, the services and progress tables, test counts,
 * the policy decision and its reasons, notes, and where the environment ran. Config problems
 * replace the table with the list of problems and how to fix them. Cut to GitHub's size limit.
 */
export function renderSummary(view: CheckRunView, annotations: Pick<RenderedAnnotations, "omitted" | "unlocated">): string {
  const sections =
    view.configProblems.length > 0
      ? renderConfigProblems(view.configProblems)
      : [
          ...(view.headline ? [`**${escapeMarkdownLine(view.headline)}**`] : []),
          ...(view.services && view.services.length > 0 ? [renderServicesTable(view.services)] : []),
          ...(view.steps.length > 0 ? [renderProgressTable(view.steps)] : []),
          ...renderTestLines(view, annotations),
        ];
  if (view.cost) sections.push(renderCostTable(view.cost));
  if (view.decision) sections.push(renderDecision(view.decision));
  if (view.notes.length > 0) sections.push(["**Notes:**", ...view.notes.map(renderNote)].join("\n"));
  sections.push(renderFooter(view));

  return truncateUtf8({ text: sections.join("\n\n"), maxBytes: MAX_CHECK_OUTPUT_BYTES, note: describeCutBytes });
}

/** Renders a note as a list item. A code block is indented two spaces, so it stays inside the item. */
function renderNote(note: CheckRunNote): string {
  if (typeof note === "string") return `- ${escapeMarkdownLine(note)}`;

  const block = formatCodeBlock(sanitizeOutput(note.code.content), { language: note.code.language });
  const indented = block.split("\n").map((line) => (line === "" ? "" : `  ${line}`));
  return [`- ${escapeMarkdownLine(note.text)}`, "", ...indented].join("\n");
}

function renderConfigProblems(problems: readonly ConfigProblem[]): string[] {
  const items = problems.map((problem) => {
    const where = formatInlineCode(`${problem.file}:${problem.line}:${problem.column}`);
    const field = problem.field ? ` ${formatInlineCode(problem.field)}` : "";
    return `- ${where}${field}: ${escapeMarkdownLine(problem.message)}`;
  });
  return [
    `**Nothing ran: the Paddock config has ${pluralize(problems.length, "problem")}.**`,
    items.join("\n"),
    "Fix the fields marked on the file, then push a commit or re-run this check.",
  ];
}

function renderProgressTable(steps: readonly StepProgress[]): string {
  const rows = steps.map((step) => {
    const duration = step.durationMs === undefined ? "–" : formatDuration(step.durationMs);
    const cells = [escapeMarkdownLine(step.name), describeStepStatus(step.status), duration, describeStepDetail(step)];
    return `| ${cells.join(" | ")} |`;
  });
  return ["| Step | Status | Duration | Detail |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

function renderServicesTable(services: readonly ServiceProgress[]): string {
  const rows = services.map((service) => {
    const readyAfter = service.readyMs === undefined ? "–" : formatDuration(service.readyMs);
    const cells = [escapeMarkdownLine(service.name), service.status, readyAfter, escapeMarkdownLine(service.reason ?? "")];
    return `| ${cells.join(" | ")} |`;
  });
  return ["| Service | Status | Ready after | Detail |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

function describeStepDetail(step: StepProgress): string {
  const parts: string[] = [];
  const result = step.result;
  if (result?.reason) parts.push(escapeMarkdownLine(result.reason));
  else if (result && result.status === "failure" && result.exitCode !== null) parts.push(`exit code ${result.exitCode}`);

  if (step.tests) {
    const failed = step.tests.failed + step.tests.errors;
    parts.push(failed > 0 ? `${failed} of ${pluralize(step.tests.total, "test")} failed` : `${pluralize(step.tests.total, "test")} run`);
  }
  if (step.reportProblem) parts.push(`test report unreadable: ${escapeMarkdownLine(step.reportProblem)}`);
  return parts.join(" · ");
}

function renderTestLines(view: CheckRunView, annotations: Pick<RenderedAnnotations, "omitted" | "unlocated">): string[] {
  const tests = countTests(view.steps);
  const lines: string[] = [];
  if (tests.total !== undefined && tests.total > 0) {
    const passed = tests.total - tests.failed - tests.skipped;
    lines.push(`**Tests:** ${tests.total.toLocaleString("en-US")} run, ${passed.toLocaleString("en-US")} passed, ${tests.failed.toLocaleString("en-US")} failed, ${tests.skipped.toLocaleString("en-US")} skipped.`);
  } else if (tests.failed > 0) {
    lines.push(`**Tests:** ${tests.failed.toLocaleString("en-US")} failed.`);
  }
  if (tests.listed < tests.failed) {
    const limit = MAX_JUNIT_FAILURES.toLocaleString("en-US");
    lines.push(`${pluralize(tests.failed - tests.listed, "more failure")} counted but not listed, because a test report keeps at most ${limit}.`);
  }
  if (annotations.unlocated > 0) {
    lines.push(`${pluralize(annotations.unlocated, "failure")} name no file in the repository, so they are listed in the details without an annotation.`);
  }
  if (annotations.omitted > 0) {
    lines.push(`${pluralize(annotations.omitted, "annotation")} left out, because a check run carries at most ${MAX_ANNOTATIONS_PER_CHECK_RUN.toLocaleString("en-US")}.`);
  }
  return lines;
}

function renderDecision(decision: DecisionView): string {
  const verdict =
    decision.verdict === "approval_required"
      ? "Policy: waiting for approval, so nothing ran yet."
      : decision.allowed
        ? "Policy: allowed."
        : "Policy: denied, so nothing ran.";
  const reasons = decision.reasons.map((reason) => `- ${escapeMarkdownLine(reason)}`);
  const source = decision.source ? [`Judged under the ${escapeMarkdownLine(decision.source)}.`] : [];
  return [`**${verdict}**`, ...reasons, ...source].join("\n");
}

function renderFooter(view: CheckRunView): string {
  const commit = formatInlineCode(view.headSha.slice(0, SHORT_SHA_LENGTH));
  return `Environment ${formatInlineCode(view.environmentName)} on the ${view.provider} provider, commit ${commit}.`;
}
