import { ProbotOctokit } from "probot";

/**
 * Time GitHub has to send the status and headers of a response. A request still silent after
 * that is treated as lost: it is aborted, and Octokit's retry plugin sends it again as it does
 * after a 500. Without it, a dead connection holds the check run until the fetch library's own
 * 300-second header timeout (undici's default).
 */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

/**
 * Retries of a request that hit a secondary rate limit, each after the `retry-after` seconds
 * GitHub sent (60 when it sent none, per Octokit's throttling plugin).
 */
export const SECONDARY_LIMIT_RETRIES = 3;

type FetchFunction = typeof globalThis.fetch;

interface ThrottleOptions {
  onSecondaryRateLimit?: unknown;
  [name: string]: unknown;
}

interface SecondaryLimitRequest {
  method: string;
  url: string;
}

interface OctokitWithLog {
  log: { warn: (message: string) => void };
}

/**
 * Creates the Octokit class the app runs with: Probot's own, with its retries and throttling,
 * plus two fixes for faults measured against a loopback GitHub. A response that does not start
 * within `responseTimeoutMs` is aborted, so Octokit retries it instead of waiting for ever.
 * A secondary rate limit is waited out and retried, where Probot's default only logs it and the
 * check run stays `in_progress`.
 */
export function createPaddockOctokit(options: { responseTimeoutMs?: number } = {}): typeof ProbotOctokit {
  const timeoutMs = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;

  // A defaults function runs after Probot merged its own options, so it has the last word.
  return ProbotOctokit.defaults((instance: Record<string, unknown>) => {
    const request = (instance.request ?? {}) as { fetch?: FetchFunction };
    const throttle = (instance.throttle ?? {}) as ThrottleOptions;
    return {
      ...instance,
      request: { ...request, fetch: withResponseTimeout(request.fetch ?? globalThis.fetch, timeoutMs) },
      throttle: { ...throttle, onSecondaryRateLimit: retrySecondaryLimit },
    };
  });
}

function retrySecondaryLimit(retryAfter: number, request: SecondaryLimitRequest, octokit: OctokitWithLog, retryCount: number): boolean {
  const retry = retryCount < SECONDARY_LIMIT_RETRIES;
  const outcome = retry ? `retrying in ${retryAfter} s (retry ${retryCount + 1} of ${SECONDARY_LIMIT_RETRIES})` : "giving up";
  octokit.log.warn(`GitHub secondary rate limit on ${request.method} ${request.url}: ${outcome}`);
  return retry;
}

/**
 * Wraps fetch so that a response whose headers do not arrive within `timeoutMs` fails with a
 * plain Error. Octokit turns it into a status 500 error, which its retry plugin retries. The
 * body is not timed, so a large tarball may stream for as long as it needs.
 */
export function withResponseTimeout(fetchFunction: FetchFunction, timeoutMs: number): FetchFunction {
  return async (input, init = {}) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`GitHub sent no response within ${timeoutMs} ms`)), timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    try {
      return await fetchFunction(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
}
