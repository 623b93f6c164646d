/** Maximum `retry-after` a retried request waits, in seconds. A longer one is cut to this. */
export const MAX_RETRY_AFTER_SECONDS = 60;

/** Path of the request that mints an installation token, with the id filled in or still a template. */
const ACCESS_TOKENS_URL = /\/app\/installations\/(?:\d+|\{installation_id\})\/access_tokens$/u;

interface RetryableError {
  response?: { headers?: Record<string, string | number | undefined> };
}

interface RetryPlugin {
  retryRequest: (error: RetryableError, retries: number, retryAfter: number) => unknown;
}

interface HookedOctokit {
  retry?: RetryPlugin;
  hook: { wrap: (name: "request", handler: (request: (options: RequestOptions) => Promise<unknown>, options: RequestOptions) => Promise<unknown>) => void };
}

interface RequestOptions {
  method: string;
  url: string;
  request?: Record<string, unknown>;
  [name: string]: unknown;
}

/**
 * Octokit plugin that bounds the sends of one request and honours `retry-after` on the errors
 * Octokit's retry plugin retries (500s, timeouts, refused connections).
 *
 * An installation client mints its token inside the request that needs it, through the same
 * client. So the retry plugin retried the token request 3 times inside each of the 4 attempts
 * of the outer request, which made 16 sends to a GitHub that is down. Here the token request is sent once
 * per attempt and only the outer request is retried, so one request makes at most 4 attempts.
 * A token request made on its own (the refresh after a 401) is not retried either.
 *
 * The retry plugin waits 1, 4 and 9 seconds whatever GitHub asked for. This waits the
 * `retry-after` seconds GitHub sent instead, at most `MAX_RETRY_AFTER_SECONDS`.
 */
export function boundRetries(octokit: unknown): void {
  const client = octokit as HookedOctokit;

  client.hook.wrap("request", (request, options) => {
    // Every hook of one request is bound to the same options object, so a change reaches the
    // retry plugin only when made in place.
    if (options.method.toUpperCase() === "POST" && ACCESS_TOKENS_URL.test(options.url)) options.request = { ...options.request, retries: 0 };
    return request(options);
  });

  const retry = client.retry;
  if (retry === undefined) return;
  const retryRequest = retry.retryRequest.bind(retry);
  retry.retryRequest = (error, retries, retryAfter) => retryRequest(error, retries, readRetryAfter(error) ?? retryAfter);
}

/** Returns the seconds in a `retry-after` header (a number or an HTTP date), capped, or undefined without one. */
export function readRetryAfter(error: RetryableError): number | undefined {
  const header = error.response?.headers?.["retry-after"];
  if (header === undefined) return undefined;

  const text = String(header).trim();
  let seconds = /^\d+$/u.test(text) ? Number(text) : Math.ceil((Date.parse(text) - Date.now()) / 1000);
  if (Number.isNaN(seconds)) return undefined;
  seconds = Math.max(seconds, 0);
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}
