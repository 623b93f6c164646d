import type { CheckAnnotation } from "../checks/check-annotation.ts";
import type { CheckRunView, PipelineConclusion } from "../checks/check-run-view.ts";
import { renderCheckRun } from "../checks/render-check-run.ts";
import { formatCost, formatExactAmount } from "../cost/format-cost.ts";
import type { ActionToolkit } from "./action-toolkit.ts";

/** Links to the run's results, for the `url` and `check-run-id` outputs. */
export interface ResultLinks {
  /** The check run's id; NO_CHECK_RUN (0) when none was posted. */
  checkRunId: number;
  /** The check run's page, or the workflow run's page when no check run was posted; "" when neither is known. */
  url: string;
}

// Failures first, because the runner shows only the first annotations of each step.
const LEVEL_ORDER: Record<CheckAnnotation["annotation_level"], number> = { failure: 0, warning: 1, notice: 2 };

/**
 * Reports a completed view the way the check run shows it: outputs, the check run's markdown as
 * the job summary, and each annotation as an error, warning or notice on its file line.
 * Returns the conclusion.
 */
export async function reportView(options: { toolkit: ActionToolkit; view: CheckRunView; links: ResultLinks }): Promise<{ conclusion: PipelineConclusion; title: string }> {
  const { toolkit, view, links } = options;
  const rendered = renderCheckRun({ ...view, status: "completed" });
  const conclusion = rendered.conclusion ?? "neutral";

  toolkit.setOutput("environment", view.environmentName);
  toolkit.setOutput("namespace", view.provider === "kubernetes" ? view.environmentName : "");
  toolkit.setOutput("url", links.url);
  toolkit.setOutput("conclusion", conclusion);
  toolkit.setOutput("cost", view.cost ? formatCost({ nanos: view.cost.soFarNanos, currency: view.cost.currency }) : "");
  toolkit.setOutput("cost-amount", view.cost ? formatExactAmount(view.cost.soFarNanos) : "");
  toolkit.setOutput("cost-currency", view.cost ? view.cost.currency : "");
  toolkit.setOutput("check-run-id", links.checkRunId > 0 ? String(links.checkRunId) : "");
  await toolkit.writeSummary(`## ${rendered.title}\n\n${rendered.summary}\n\n${rendered.text}\n`);

  const annotations = [...rendered.annotations].sort((left, right) => LEVEL_ORDER[left.annotation_level] - LEVEL_ORDER[right.annotation_level]);
  for (const annotation of annotations) {
    const properties = {
      file: annotation.path,
      startLine: annotation.start_line,
      ...(annotation.end_line !== annotation.start_line ? { endLine: annotation.end_line } : {}),
      ...(annotation.title ? { title: annotation.title } : {}),
    };
    if (annotation.annotation_level === "failure") toolkit.error(annotation.message, properties);
    else if (annotation.annotation_level === "warning") toolkit.warning(annotation.message, properties);
    else toolkit.notice(annotation.message, properties);
  }
  return { conclusion, title: rendered.title };
}
