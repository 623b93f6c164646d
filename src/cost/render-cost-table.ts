import { escapeMarkdownLine } from "../checks/markdown-text.ts";
import type { CostView } from "./cost-view.ts";
import { DISPLAY_DECIMALS, formatCostAmount } from "./format-cost.ts";
import type { CostMethod } from "./step-cost.ts";

const METHOD_TEXT: Record<CostMethod, string> = {
  measured: "measured usage",
  requested: "requests × time",
  mixed: "measured and requested",
};

function describeBasis(step: CostView["steps"][number]): string {
  const method = METHOD_TEXT[step.method];
  return step.detail === undefined ? method : `${method} (${escapeMarkdownLine(step.detail)})`;
}

/**
 * Renders the cost section of a check-run summary in Markdown: one row per step and per
 * service, the total so far, and the total at expiry, which adds the services that still run
 * until then. Amounts are rounded half up to four decimals. The header says that totals add the
 * exact amounts, because rounded rows need not add up to a rounded total.
 */
export function renderCostTable(view: CostView): string {
  const expiry = view.expiresAt.replace(/:\d{2}(\.\d+)?Z$/, " UTC").replace("T", " ");
  const rows = [
    ...view.steps.map((step) => `| ${escapeMarkdownLine(step.name)} | ${describeBasis(step)} | ${formatCostAmount(step.nanos)} |`),
    ...(view.services ?? []).map((service) => `| service ${escapeMarkdownLine(service.name)} | ${METHOD_TEXT.requested} (${service.untilTeardown ? "runs until teardown" : "ran while the steps ran"}) | ${formatCostAmount(service.nanos)} |`),
    `| Total so far |  | ${formatCostAmount(view.soFarNanos)} |`,
    `| Total at expiry (so far + services until ${escapeMarkdownLine(expiry)}) |  | ${formatCostAmount(view.projectedNanos)} |`,
  ];
  return [
    `**Cost** in ${escapeMarkdownLine(view.currency)}, prices from ${escapeMarkdownLine(view.priceSource)}, rounded to ${DISPLAY_DECIMALS} decimals (totals add the exact amounts):`,
    "",
    "| Step | Basis | Cost |",
    "| --- | --- | ---: |",
    ...rows,
  ].join("\n");
}
