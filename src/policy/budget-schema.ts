import { z } from "zod";
import { currencySchema } from "../cost/price-table-schema.ts";

/** Maximum decimal places of a budget amount, the same precision prices have. */
export const MAX_BUDGET_DECIMALS = 6;

const AMOUNT_PATTERN = new RegExp(`^\\d+(\\.\\d{1,${MAX_BUDGET_DECIMALS}})?$`);

/** A positive amount of money in the budget's currency, such as "25" or "7.50". */
export const amountSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((value) => AMOUNT_PATTERN.test(value) && /[1-9]/.test(value), {
    error: (issue) =>
      `invalid amount ${JSON.stringify(issue.input)}: use a positive decimal with at most ${MAX_BUDGET_DECIMALS} decimals, such as "25" or "7.50"`,
  })
  .describe("A positive amount in the budget's currency, such as 25 or 7.50.");

/** Daily budgets. Each applies per repository and per UTC day. */
export const budgetsSchema = z
  .strictObject({
    currency: currencySchema.describe("Currency of the amounts; must match the price table's currency (cost.currency, USD by default)."),
    daily: z
      .strictObject({
        repository: amountSchema.optional().describe("Most one repository may spend per UTC day, all actor classes together."),
        actorClass: z
          .strictObject({ human: amountSchema.optional(), agent: amountSchema.optional(), fork: amountSchema.optional() })
          .optional()
          .describe("Most one actor class may spend in one repository per UTC day."),
      })
      .describe("Budgets per UTC day."),
  })
  .describe("Spending limits. An environment whose projected cost exceeds what is left of a budget is denied.");

/** The parsed `budgets` section. */
export type BudgetPolicy = z.output<typeof budgetsSchema>;
