import type { CheckAnnotation } from "./check-annotation.ts";
import type { CheckRunAction, CheckRunView, PipelineConclusion } from "./check-run-view.ts";
import { concludePipeline } from "./conclude.ts";
import { renderAnnotations } from "./render-annotations.ts";
import { renderDetails } from "./render-details.ts";
import { renderSummary } from "./render-summary.ts";
import { renderTitle } from "./render-title.ts";

/** Prefix of every Paddock check-run name. */
export const CHECK_RUN_NAME_PREFIX = "paddock";

/** A check run as GitHub's Checks API takes it, ready to send. */
export interface RenderedCheckRun {
  name: string;
  title: string;
  summary: string;
  text: string;
  /** Set only for a completed view. */
  conclusion?: PipelineConclusion;
  /** Every annotation, not yet split into requests of 50. */
  annotations: CheckAnnotation[];
  /** Buttons, sent with the completing request. */
  actions?: CheckRunAction[];
}

/**
 * Renders a view into a check run. The name, `paddock / <environment>`, stays the same for
 * every head SHA, so each commit gets one check run per environment. A completed view without
 * a conclusion is concluded from its config problems, policy decision and steps.
 */
export function renderCheckRun(view: CheckRunView): RenderedCheckRun {
  const { annotations, omitted, unlocated } = renderAnnotations(view);
  const rendered: RenderedCheckRun = {
    name: `${CHECK_RUN_NAME_PREFIX} / ${view.environmentName}`,
    title: renderTitle(view),
    summary: renderSummary(view, { omitted, unlocated }),
    text: renderDetails(view),
    annotations,
  };
  if (view.status === "completed") rendered.conclusion = concludeView(view);
  if (view.actions && view.actions.length > 0) rendered.actions = view.actions;
  return rendered;
}

function concludeView(view: CheckRunView): PipelineConclusion {
  if (view.conclusion) return view.conclusion;
  if (view.configProblems.length > 0) return "failure";
  if (view.decision?.verdict === "approval_required") return "action_required";
  if (view.decision && !view.decision.allowed) return "failure";
  return concludePipeline(view.steps);
}
