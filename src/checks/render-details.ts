import type { StepResult } from "../pipeline/step-result.ts";
import type { CheckRunView, ServiceProgress, StepProgress, TestFailure } from "./check-run-view.ts";
import { escapeMarkdownLine, formatInlineCode } from "./markdown-text.ts";
import { describeCutBytes, MAX_CHECK_OUTPUT_BYTES, truncateUtf8 } from "./output-limits.ts";
import { chooseCodeFence, sanitizeOutput } from "./sanitize-output.ts";
import { describeStepStatus } from "./step-status-text.ts";

/** Share of the details that the test-failure list may fill when output tails follow it. */
export const FAILURE_LIST_SHARE = 0.5;

/** Room kept at the end of the failure list for the remark on failures left out. */
const OMISSION_REMARK_BYTES = 120;
const SECTION_SEPARATOR = "\n\n";

/**
 * Renders the check-run details in Markdown: the test failures of each step, then the
 * sanitized output tail of each failed service and each failed or timed-out step in a code block. The failure list
 * and the tails share GitHub's size limit, and each tail keeps its last lines when cut.
 */
export function renderDetails(view: CheckRunView): string {
  const tails = view.steps.filter((step) => step.result && (step.status === "failure" || step.status === "timed_out"));
  const serviceTails = (view.services ?? []).filter((service) => service.status === "failed");
  const tailCount = tails.length + serviceTails.length;
  const failureBudget = Math.floor(MAX_CHECK_OUTPUT_BYTES * (tailCount > 0 ? FAILURE_LIST_SHARE : 1));
  const failureSections = renderFailureList(view.steps, failureBudget);

  const used = byteLength(failureSections) + (failureSections ? SECTION_SEPARATOR.length : 0);
  const share = Math.floor((MAX_CHECK_OUTPUT_BYTES - used) / Math.max(tailCount, 1)) - SECTION_SEPARATOR.length;
  const tailSections = [...serviceTails.map((service) => renderServiceTail(service, share)), ...tails.map((step) => renderOutputTail(step, share))];

  const text = [failureSections, ...tailSections].filter((section) => section !== "").join(SECTION_SEPARATOR);
  // The budget above should already fit; this cut only guards against rounding.
  return truncateUtf8({ text, maxBytes: MAX_CHECK_OUTPUT_BYTES, note: describeCutBytes });
}

function renderFailureList(steps: readonly StepProgress[], maxBytes: number): string {
  const withFailures = steps.filter((step) => (step.failures?.length ?? 0) > 0);
  const lines: string[] = [];
  for (const step of withFailures) {
    lines.push(`### Test failures in ${escapeMarkdownLine(step.name)}`, "");
    for (const failure of step.failures ?? []) lines.push(formatFailureLine(failure));
    lines.push("");
  }
  const total = withFailures.reduce((sum, step) => sum + (step.failures?.length ?? 0), 0);

  // Keep whole lines, leaving room for the closing remark about the ones left out.
  const keptLines: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    if (bytes + byteLength(line) + 1 > maxBytes - OMISSION_REMARK_BYTES) break;
    keptLines.push(line);
    bytes += byteLength(line) + 1;
  }
  const listedFailures = keptLines.filter((line) => line.startsWith("- ")).length;
  if (listedFailures < total) keptLines.push(`… ${(total - listedFailures).toLocaleString("en-US")} more test failures are not listed here.`);
  return keptLines.join("\n").trim();
}

function formatFailureLine(failure: TestFailure): string {
  const where = failure.file ? formatInlineCode(`${failure.file}:${failure.line}`) : "(no file in the repository)";
  return `- ${where} **${escapeMarkdownLine(failure.title)}**: ${escapeMarkdownLine(failure.message)}`;
}

function renderOutputTail(step: StepProgress, maxBytes: number): string {
  const result = step.result;
  if (!result) return "";

  const heading = `### ${escapeMarkdownLine(step.name)} ${describeStepStatus(step.status)}`;
  const output = sanitizeOutput(result.outputTail).replace(/\n+$/, "");
  if (output === "") return `${heading}\n\n${describeExit(result)} The step wrote no output.`;

  const intro = `${heading}\n\n${describeExit(result)}${describeDroppedOutput(result)} Last lines of output:\n\n`;
  const fence = chooseCodeFence(output);
  const room = Math.max(maxBytes - byteLength(intro) - 2 * (fence.length + 1), 0);
  const body = truncateUtf8({ text: output, maxBytes: room, note: describeCutTail, keep: "end" });
  return `${intro}${fence}\n${body}\n${fence}`;
}

function renderServiceTail(service: ServiceProgress, maxBytes: number): string {
  const heading = `### Service ${escapeMarkdownLine(service.name)} failed`;
  const reason = escapeMarkdownLine(service.reason ?? "The provider gave no reason.");
  const sentence = /[.!?]$/.test(reason) ? reason : `${reason}.`;
  const output = sanitizeOutput(service.outputTail ?? "").replace(/\n+$/, "");
  if (output === "") return `${heading}\n\n${sentence} The service wrote no output.`;

  const intro = `${heading}\n\n${sentence} Last lines of its output:\n\n`;
  const fence = chooseCodeFence(output);
  const room = Math.max(maxBytes - byteLength(intro) - 2 * (fence.length + 1), 0);
  const body = truncateUtf8({ text: output, maxBytes: room, note: describeCutTail, keep: "end" });
  return `${intro}${fence}\n${body}\n${fence}`;
}

function describeExit(result: StepResult): string {
  if (result.reason) {
    const reason = escapeMarkdownLine(result.reason);
    return /[.!?]$/.test(reason) ? reason : `${reason}.`;
  }
  return result.exitCode === null ? "The command did not exit on its own." : `Exit code ${result.exitCode}.`;
}

function describeDroppedOutput(result: StepResult): string {
  if (!result.outputTruncated) return "";
  if (!result.logPath) return " Earlier output was dropped.";
  return ` Earlier output was dropped. The full log is on the Paddock host at ${formatInlineCode(result.logPath)}.`;
}

function describeCutTail(cutBytes: number): string {
  return `[… ${cutBytes.toLocaleString("en-US")} bytes cut]\n`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
