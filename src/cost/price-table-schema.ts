import { z } from "zod";

/** Most decimal places of a price, because prices are stored as whole micro-units. */
export const MAX_PRICE_DECIMALS = 6;

const PRICE_PATTERN = new RegExp(`^\\d+(\\.\\d{1,${MAX_PRICE_DECIMALS}})?$`);
const CURRENCY_PATTERN = /^[A-Z]{3}$/;
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A non-negative decimal price with at most six decimals, written as a string or a number. */
export const priceSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((value) => PRICE_PATTERN.test(value), {
    error: (issue) =>
      `invalid price ${JSON.stringify(issue.input)}: write a non-negative decimal with at most ${MAX_PRICE_DECIMALS} decimals, such as "0.031611"`,
  })
  .describe("A price in the table's currency, with at most six decimals, such as 0.031611.");

/** An ISO 4217 currency code. */
export const currencySchema = z
  .string()
  .regex(CURRENCY_PATTERN, { error: "invalid currency: use an ISO 4217 code in capitals, such as USD or EUR" })
  .describe("ISO 4217 currency code of the prices, such as USD or EUR.");

/** Prices that override the defaults; each one left out keeps the value it would have had. */
export const priceOverridesSchema = z
  .strictObject({
    cpuCoreHour: priceSchema.optional().describe("Price of one vCPU for one hour."),
    memoryGiBHour: priceSchema.optional().describe("Price of one GiB of memory for one hour."),
    gpuHour: priceSchema.optional().describe("Price of one GPU for one hour."),
    storageGiBMonth: priceSchema.optional().describe("Price of one GiB of storage for one month of 730 hours."),
  })
  .describe("Prices per resource and time unit.");

const PRICE_KEYS = ["cpuCoreHour", "memoryGiBHour", "gpuHour", "storageGiBMonth"] as const;

const priceLayerSchema = z.strictObject({
  currency: currencySchema.optional(),
  prices: priceOverridesSchema.optional(),
});

/**
 * The `cost` section of the org policy: currency and prices for the whole org, and tables per
 * cluster that override them. A layer that changes the currency must set all four prices,
 * because the prices it would inherit are in another currency.
 */
export const costPolicySchema = priceLayerSchema
  .extend({
    clusters: z
      .record(z.string().regex(CLUSTER_NAME_PATTERN), priceLayerSchema)
      .optional()
      .describe("Price tables per cluster name, layered over the org prices."),
  })
  .superRefine((policy, context) => {
    const orgCurrency = policy.currency ?? "USD";
    requireAllPrices({ layer: policy, inherited: "USD", path: [], context });
    for (const [name, cluster] of Object.entries(policy.clusters ?? {})) {
      requireAllPrices({ layer: cluster, inherited: orgCurrency, path: ["clusters", name], context });
    }
  })
  .describe("Cost settings: currency and prices, with OpenCost's on-premises defaults where unset.");

/** The parsed `cost` section of the org policy. */
export type CostPolicy = z.output<typeof costPolicySchema>;

function requireAllPrices(options: {
  layer: z.output<typeof priceLayerSchema>;
  inherited: string;
  path: string[];
  context: z.RefinementCtx;
}): void {
  const { layer, inherited, path, context } = options;
  if (layer.currency === undefined || layer.currency === inherited) return;

  const missing = PRICE_KEYS.filter((key) => layer.prices?.[key] === undefined);
  if (missing.length === 0) return;
  context.addIssue({
    code: "custom",
    path: [...path, "prices"],
    message: `currency ${layer.currency} differs from the inherited ${inherited}, so every price must be set; missing: ${missing.join(", ")}`,
  });
}
