import { describe, expect, it } from "vitest";
import { renderSummary } from "../../src/checks/render-summary.ts";
import type { CostView } from "../../src/cost/cost-view.ts";
import { makeView } from "../checks/support/check-run-views.ts";

const COST: CostView = {
  currency: "USD",
  priceSource: "OpenCost on-premises defaults",
  steps: [{ name: "test", method: "measured", nanos: 17_408_250 }],
  soFarNanos: 17_408_250,
  projectedNanos: 17_408_250,
  expiresAt: "2026-12-05T10:00:00.000Z",
};

describe("renderSummary with cost", () => {
  it("puts the cost table before the footer", () => {
    const summary = renderSummary(makeView({ cost: COST }), { omitted: 0, unlocated: 0 });

    expect(summary).toBe(
      [
        "**Cost** in USD, prices from OpenCost on-premises defaults, rounded to 4 decimals (totals add the exact amounts):",
        "",
        "| Step | Basis | Cost |",
        "| --- | --- | ---: |",
        "| test | measured usage | 0.0174 |",
        "| Total so far |  | 0.0174 |",
        "| Total at expiry (so far + services until 2026-12-05 10:00 UTC) |  | 0.0174 |",
        "",
        "Environment `pr-12-acme-web-1a2b3c` on the local provider, commit `0123456`.",
      ].join("\n"),
    );
  });

  it("leaves the cost out without a cost view", () => {
    expect(renderSummary(makeView(), { omitted: 0, unlocated: 0 })).not.toContain("**Cost**");
  });
});
