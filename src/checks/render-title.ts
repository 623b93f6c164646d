import type { CheckRunView } from "./check-run-view.ts";
import { countTests, pluralize } from "./count-tests.ts";
import { truncateCharacters } from "./output-limits.ts";

/** Maximum check-run title length, in characters; Paddock's choice, as GitHub documents none. */
export const MAX_CHECK_TITLE_CHARACTERS = 120;

const SEPARATOR = " · ";

/**
 * Renders the one-line check-run title, such as "2 of 3 steps passed · 1 test failed". Config
 * problems and a policy denial replace it, because then nothing ran.
 */
export function renderTitle(view: CheckRunView): string {
  return truncateCharacters(describeRun(view), MAX_CHECK_TITLE_CHARACTERS);
}

function describeRun(view: CheckRunView): string {
  if (view.configProblems.length > 0) {
    return `Nothing ran: ${pluralize(view.configProblems.length, "config problem")}`;
  }
  if (view.decision?.verdict === "approval_required") return "Waiting for approval: nothing ran yet";
  if (view.decision && !view.decision.allowed) return "Nothing ran: denied by policy";
  if (view.status === "queued") return "Queued";

  const ran = view.steps.some((step) => step.status !== "queued" && step.status !== "skipped");
  if (view.status === "completed" && !ran) return firstLine(view.headline) ?? "Nothing ran";

  const parts = [describeSteps(view)];
  const tests = describeTests(view);
  if (tests) parts.push(tests);
  if (view.status === "completed" && view.conclusion === "cancelled") parts.unshift("Cancelled");
  return parts.join(SEPARATOR);
}

function describeSteps(view: CheckRunView): string {
  const total = view.steps.length;
  const running = view.steps.findIndex((step) => step.status === "running");
  if (view.status === "in_progress" && running !== -1) {
    return `Running ${view.steps[running]?.name ?? "a step"} (step ${running + 1} of ${total})`;
  }
  if (view.status === "in_progress" && !view.steps.some((step) => step.status !== "queued")) {
    return "Preparing the environment";
  }
  const passed = view.steps.filter((step) => step.status === "success").length;
  return `${passed} of ${pluralize(total, "step")} passed`;
}

function describeTests(view: CheckRunView): string | undefined {
  const tests = countTests(view.steps);
  if (tests.failed > 0) return `${pluralize(tests.failed, "test")} failed`;
  if (tests.total === undefined || tests.total === 0) return undefined;
  return `${pluralize(tests.total - tests.skipped, "test")} passed`;
}

function firstLine(text: string | undefined): string | undefined {
  const line = text?.trim().split("\n", 1)[0]?.trim();
  return line ? line : undefined;
}
