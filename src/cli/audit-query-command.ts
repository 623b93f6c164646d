import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { AUDIT_ACTIONS, type AuditAction } from "../audit/audit-record-schema.ts";
import { queryAuditRecords, type AuditQuery, type AuditQueryResult, type CostTotal } from "../audit/query-audit-records.ts";
import { compareExactTimes } from "../audit/exact-time.ts";
import { readAuditCheckout } from "../audit/read-audit-checkout.ts";
import { verifyAuditLedger } from "../audit/verify-audit-ledger.ts";
import { formatCost } from "../cost/format-cost.ts";
import { PaddockError } from "../errors.ts";
import { formatTextTable } from "./audit-table.ts";
import { EXIT_CHAIN_BROKEN } from "./audit-verify-command.ts";
import { HELP_OPTION, printUsage, type CliIo } from "./cli-io.ts";
import { parseCliExactTime } from "./parse-cli-time.ts";

export const AUDIT_QUERY_USAGE =
  "paddock audit query PATH [--actor LOGIN] [--agent APP] [--repository OWNER/NAME] [--action ACTION] [--since ISO-TIME] [--until ISO-TIME] [--unverified] [--json]";

/**
 * Lists the records of a checkout of the audit repository that match the filters, and totals
 * their cost by agent, actor and repository: an aligned table, or JSON with `--json`.
 * Verifies the hash chain first and exits 1 when it is broken, because duplicated or edited
 * records would distort the totals. `--unverified` queries a broken ledger with a warning.
 */
export async function runAuditQueryCommand(options: { args: string[]; io: CliIo }): Promise<number> {
  const { io } = options;
  const { values, positionals } = parseArgs({
    args: options.args,
    options: {
      actor: { type: "string" },
      agent: { type: "string" },
      repository: { type: "string" },
      action: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      unverified: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return printUsage({ io, usage: [AUDIT_QUERY_USAGE] });
  if (positionals.length !== 1) {
    throw new PaddockError("USAGE", `audit query needs one PATH, got ${positionals.length}`, { hint: `usage: ${AUDIT_QUERY_USAGE}` });
  }

  const query: AuditQuery = {
    ...(values.actor !== undefined ? { actor: values.actor } : {}),
    ...(values.agent !== undefined ? { agent: values.agent } : {}),
    ...(values.repository !== undefined ? { repository: parseRepository(values.repository) } : {}),
    ...(values.action !== undefined ? { action: parseAction(values.action) } : {}),
    ...(values.since !== undefined ? { since: parseCliExactTime({ flag: "--since", text: values.since }) } : {}),
    ...(values.until !== undefined ? { until: parseCliExactTime({ flag: "--until", text: values.until }) } : {}),
  };
  if (query.since !== undefined && query.until !== undefined && compareExactTimes(query.since, query.until) > 0) {
    throw new PaddockError("USAGE", `--since ${values.since} is later than --until ${values.until}`, { hint: "pass a --since time at or before the --until time" });
  }

  const checkout = await readAuditCheckout(resolve(io.cwd, positionals[0]!));
  const { problem } = verifyAuditLedger(checkout);
  if (problem !== null) {
    const broken = `audit chain broken at sequence ${problem.sequence} (${problem.kind}): ${problem.message}`;
    if (!values.unverified) {
      io.stderr(`paddock: ${broken}. totals of a broken chain may count duplicated or edited records, so nothing was queried. run paddock audit verify ${positionals[0]} for details, or pass --unverified to query it anyway\n`);
      return EXIT_CHAIN_BROKEN;
    }
    io.stderr(`paddock: warning: ${broken}. the totals below may count duplicated or edited records\n`);
  }
  const result = queryAuditRecords({ recordFiles: checkout.recordFiles, query });

  io.stdout(values.json ? `${JSON.stringify(result, (_key, value: unknown) => (typeof value === "bigint" ? Number(value) : value), 2)}\n` : renderQueryTables(result));
  if (result.unreadable.length > 0) io.stderr(`paddock: skipped ${result.unreadable.length} unreadable lines, first ${result.unreadable[0]}; run paddock audit verify\n`);
  return 0;
}

function renderQueryTables(result: AuditQueryResult): string {
  const records = formatTextTable({
    headers: ["SEQ", "TIME", "ACTION", "ACTOR", "AGENT", "REPOSITORY", "COST"],
    rows: result.records.map((record) => [
      String(record.sequence),
      record.time,
      record.action,
      record.actor.login,
      record.agent?.app ?? "",
      record.repository.fullName + (record.pullRequest !== null ? `#${record.pullRequest}` : ""),
      record.cost ? formatCost({ nanos: record.cost.amountNanos, currency: record.cost.currency }) : "",
    ]),
    rightAligned: [0, 6],
  });
  const sections = [`${records}${result.records.length} matching records\n`];
  for (const [title, totals] of [["AGENT", result.totals.byAgent], ["ACTOR", result.totals.byActor], ["REPOSITORY", result.totals.byRepository]] as const) {
    sections.push(renderTotals(title, totals));
  }
  return sections.join("\n");
}

function renderTotals(title: string, totals: readonly CostTotal[]): string {
  const rows = totals.map((total) => [total.key, String(total.records), total.costs.map((cost) => formatCost({ nanos: cost.amountNanos, currency: cost.currency })).join(" + ")]);
  return formatTextTable({ headers: [title, "RECORDS", "COST"], rows, rightAligned: [1, 2] });
}

function parseAction(text: string): AuditAction {
  if ((AUDIT_ACTIONS as readonly string[]).includes(text)) return text as AuditAction;
  throw new PaddockError("USAGE", `--action ${text} is not an audit action`, { hint: `use one of ${AUDIT_ACTIONS.join(", ")}` });
}

/** Checks that `--repository` has the form `owner/name`, because a bare owner matches no record's `fullName` and would print empty tables. */
function parseRepository(text: string): string {
  if (/^[^/\s]+\/[^/\s]+$/.test(text)) return text;
  throw new PaddockError("USAGE", `--repository ${JSON.stringify(text).slice(1, -1)} is not in the form owner/name`, { hint: "pass the owner and the repository name, such as acme/web" });
}
