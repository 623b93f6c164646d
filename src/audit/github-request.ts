import { describeError, PaddockError } from "../errors.ts";

/**
 * The one Octokit call the ledger needs, such as `octokit.request` of an Octokit built with
 * the audit credential. Rejects with an error carrying `status` for HTTP errors, as Octokit's
 * RequestError does.
 */
export type GitHubRequest = (route: string, parameters?: Record<string, unknown>) => Promise<{ status: number; data: unknown }>;

/** HTTP statuses a retry cannot fix: bad request, credentials, permissions, missing repository. */
const REJECTED_STATUSES = new Set([400, 401, 403, 404]);

/** Returns the HTTP status of a failed request, or undefined when none was received. */
export function readRequestStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * Wraps a failed GitHub request: `AUDIT_LEDGER_REJECTED` when a retry cannot help,
 * `AUDIT_LEDGER_FAILED` otherwise (server errors, rate limits, network failures).
 */
export function describeRequestFailure(options: { error: unknown; route: string; repository: string }): PaddockError {
  const { error, route, repository } = options;
  const status = readRequestStatus(error);
  const where = `${route} on ${repository}${status === undefined ? "" : ` returned ${status}`}`;

  if (status !== undefined && REJECTED_STATUSES.has(status) && !isRateLimited(error)) {
    return new PaddockError("AUDIT_LEDGER_REJECTED", `the audit ledger request ${where}: ${describeError(error)}`, {
      hint: `check that ${repository} exists with a first commit and that the audit credential has contents: write on it`,
      cause: error,
    });
  }
  return new PaddockError("AUDIT_LEDGER_FAILED", `the audit ledger request ${where}: ${describeError(error)}`, {
    hint: "the records stay in the spool and the next flush retries",
    cause: error,
  });
}

/** Tells whether a flush should try an error again later. */
export function isRetryableLedgerError(error: unknown): boolean {
  if (!(error instanceof PaddockError)) return true;
  return error.code === "AUDIT_LEDGER_FAILED" || error.code === "AUDIT_LEDGER_CONFLICT";
}

/**
 * Returns how long GitHub asked a rate-limited request to wait, in milliseconds: `retry-after`
 * seconds for a secondary limit, or the time until `x-ratelimit-reset` (epoch seconds) when no
 * requests remain. Looks through the `cause` of wrapped errors; undefined when neither is set.
 */
export function readRetryAfterMs(error: unknown, nowMs: number): number | undefined {
  for (let current: unknown = error; current !== undefined && current !== null; current = (current as { cause?: unknown }).cause) {
    const headers = readHeaders(current);
    const retryAfter = Number(headers["retry-after"]);
    if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
    const reset = Number(headers["x-ratelimit-reset"]);
    if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset)) return Math.max(0, reset * 1000 - nowMs);
    if (!(current instanceof Error)) return undefined;
  }
  return undefined;
}

// GitHub signals rate limits with 403 and either retry-after or no remaining requests.
function isRateLimited(error: unknown): boolean {
  const headers = readHeaders(error);
  return headers["retry-after"] !== undefined || headers["x-ratelimit-remaining"] === "0";
}

function readHeaders(error: unknown): Record<string, unknown> {
  return (error as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers ?? {};
}
