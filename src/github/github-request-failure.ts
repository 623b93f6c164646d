import type { Logger } from "pino";

type FetchFunction = typeof globalThis.fetch;

/** Path of the GitHub API request that mints an installation token. */
const ACCESS_TOKENS_PATH = /\/app\/installations\/(\d+)\/access_tokens$/u;

/**
 * Wraps fetch so that a request that gets no response (connection refused, DNS failure, TLS
 * error) logs one warn line and fails with a message that names the request, the step and the
 * setting to check. Octokit turns the error into a status 500 error and its retry plugin
 * retries it, so each failed attempt logs its own line. A request whose signal was aborted
 * (cancelled, or timed out by `withResponseTimeout`) fails unchanged and logs nothing here.
 */
export function withRequestFailureContext(fetchFunction: FetchFunction, log: Pick<Logger, "warn">): FetchFunction {
  return async (input, init = {}) => {
    try {
      return await fetchFunction(input, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const method = (init.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
      const url = redactUrl(input instanceof Request ? input.url : String(input));
      const step = describeStep(url);
      const detail = describeFetchError(error);
      log.warn({ method, url, step, detail }, "GitHub API request failed without a response");
      throw new Error(`${step} failed: ${method} ${url} got no response (${detail}). Check GHE_HOST and GHE_PROTOCOL and that this host can reach GitHub`, { cause: error });
    }
  };
}

/** Returns the URL without query, fragment or credentials, so no token in it reaches a log. */
function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function describeStep(url: string): string {
  const installationId = ACCESS_TOKENS_PATH.exec(new URL(url, "http://invalid").pathname)?.[1];
  return installationId === undefined ? "GitHub API request" : `getting an installation token for installation ${installationId}`;
}

/** Returns undici's message and its cause's message, such as "fetch failed: connect ECONNREFUSED 127.0.0.1:4000". */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && cause !== error.message ? `${error.message}: ${cause}` : error.message;
}
