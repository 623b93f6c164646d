import type { Logger } from "pino";
import { ProbotOctokit } from "probot";

import { boundRetries } from "./bounded-retries.ts";
import { withRequestFailureContext } from "./github-request-failure.ts";

/**
 * Time GitHub has to send the status and headers of a response. A request still silent after
 * that is treated as lost: it is aborted, and Octokit's retry plugin sends it again as it does
 * after a 500. Without it, a dead connection keeps the check run waiting until the fetch
 * library's own 300-second header timeout (undici's default).
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

interface RequestError {
  status?: number;
}

interface RequestOptions {
  method: string;
  url: string;
  request?: Record<string, unknown>;
  [name: string]: unknown;
}

/** The parts of an Octokit instance the token refresh uses. */
interface RefreshingOctokit extends OctokitWithLog {
  auth: (options: Record<string, unknown>) => Promise<unknown>;
  request: (options: RequestOptions) => Promise<unknown>;
  hook: { error: (name: "request", handler: (error: RequestError, options: RequestOptions) => Promise<unknown>) => void };
}

/**
 * Creates the Octokit class the app runs with: Probot's own, with its retries and throttling,
 * plus five fixes for faults and load measured against a loopback GitHub. One request makes at
 * most 4 attempts, token request included, and waits the `retry-after` GitHub sent between them. Each installation gets
 * its own throttling queues, so one installation's writes never wait behind another's. A response that does not start
 * within `responseTimeoutMs` is aborted, so Octokit retries it instead of waiting for ever.
 * A secondary rate limit is waited out and retried, where Probot's default only logs it and the
 * check run stays `in_progress`. A 401 on an installation's request mints a new token once and
 * sends the request again, where the token cache would keep the rejected token for 59 minutes.
 */
export function createPaddockOctokit(options: { responseTimeoutMs?: number } = {}): typeof ProbotOctokit {
  const timeoutMs = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;

  // A defaults function runs after Probot merged its own options, so it has the last word.
  return ProbotOctokit.plugin(boundRetries, refreshRejectedToken).defaults((instance: Record<string, unknown>) => {
    const request = (instance.request ?? {}) as { fetch?: FetchFunction };
    const throttle = (instance.throttle ?? {}) as ThrottleOptions;
    const fetch = wrapFetch({ fetchFunction: request.fetch ?? globalThis.fetch, timeoutMs, log: instance.log as Logger | undefined });
    return {
      ...instance,
      ...authAtBaseUrl(instance, fetch),
      request: { ...request, fetch },
      throttle: { ...throttle, onSecondaryRateLimit: retrySecondaryLimit, ...throttlePerInstallation(instance, throttle) },
    };
  });
}

/**
 * Adds the response timeout and, given a logger, the failure messages to a fetch function once.
 * Octokit hands a client's final options to the clients it derives, so a fetch wrapped here
 * comes back and is returned unchanged.
 */
function wrapFetch(options: { fetchFunction: FetchFunction; timeoutMs: number; log: Pick<Logger, "warn"> | undefined }): FetchFunction {
  if (TIMED in options.fetchFunction) return options.fetchFunction;
  const described = options.log ? withRequestFailureContext(options.fetchFunction, options.log) : options.fetchFunction;
  return withResponseTimeout(described, options.timeoutMs);
}

/**
 * Probot gives the app's token client a request function without the `baseUrl` and with its
 * own fetch. A token minted outside a request's own retry (as `refreshRejectedToken` does) would
 * go to api.github.com even on GitHub Enterprise Server. Token requests would also have no
 * response timeout and no failure message. This points the token client at the client's base
 * URL and fetch.
 */
function authAtBaseUrl(instance: Record<string, unknown>, fetch: FetchFunction): { auth?: Record<string, unknown> } {
  const auth = instance.auth as { request?: { defaults?: (options: { baseUrl?: string; request: { fetch: FetchFunction } }) => unknown } } | undefined;
  const baseUrl = instance.baseUrl;
  if (typeof auth?.request?.defaults !== "function") return {};
  return { auth: { ...auth, request: auth.request.defaults({ ...(typeof baseUrl === "string" ? { baseUrl } : {}), request: { fetch } }) } };
}

/**
 * Octokit's throttling plugin spaces writes one second apart per `throttle.id`, and Probot 14.3.2
 * sets that id to the installation only for clients from `app.auth(id)`. The client of each
 * webhook kept the default id, so every installation shared one queue: one write a second for
 * the whole app. This keys the queues by installation, as Probot does for `app.auth(id)`.
 */
function throttlePerInstallation(instance: Record<string, unknown>, throttle: ThrottleOptions): { id?: string } {
  const installationId = (instance.auth as { installationId?: unknown } | undefined)?.installationId;
  if (throttle.id !== undefined || typeof installationId !== "number") return {};
  return { id: String(installationId) };
}

function retrySecondaryLimit(retryAfter: number, request: SecondaryLimitRequest, octokit: OctokitWithLog, retryCount: number): boolean {
  const retry = retryCount < SECONDARY_LIMIT_RETRIES;
  const outcome = retry ? `retrying in ${retryAfter} s (retry ${retryCount + 1} of ${SECONDARY_LIMIT_RETRIES})` : "giving up";
  octokit.log.warn(`GitHub secondary rate limit on ${request.method} ${request.url}: ${outcome}`);
  return retry;
}

/**
 * Octokit plugin: when GitHub rejects an installation token with 401 (it expired or was
 * revoked), mints a new one through the app's credentials and sends the request once more.
 * Requests signed with the app's JWT have no installation and are left alone.
 */
function refreshRejectedToken(octokit: unknown, options: { auth?: unknown }): void {
  const installationId = (options.auth as { installationId?: unknown } | undefined)?.installationId;
  if (typeof installationId !== "number") return;
  const client = octokit as RefreshingOctokit;

  client.hook.error("request", async (error, request) => {
    if (error.status !== 401 || request.request?.paddockTokenRefreshed === true) throw error;
    client.log.warn(`GitHub rejected the token of installation ${installationId} on ${request.method} ${request.url}: minting a new one`);
    await client.auth({ type: "installation", installationId, refresh: true });
    return client.request({ ...request, request: { ...request.request, paddockTokenRefreshed: true } });
  });
}

/**
 * Wraps fetch so that a response whose headers do not arrive within `timeoutMs` fails with a
 * plain Error. Octokit turns it into a status 500 error, which its retry plugin retries. The
 * body is not timed, so a large tarball may stream for as long as it needs.
 */
export function withResponseTimeout(fetchFunction: FetchFunction, timeoutMs: number): FetchFunction {
  // Octokit hands a client's final options to the clients it derives, such as each webhook's, so
  // the same fetch comes back here. A second timer would read the first one's abort as the caller's.
  if (TIMED in fetchFunction) return fetchFunction;
  const timed: FetchFunction = async (input, init = {}) => {
    const callerSignal = init.signal ?? undefined;
    if (callerSignal?.aborted) throw cancelledByCaller(callerSignal);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`GitHub sent no response within ${timeoutMs} ms`)), timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
    try {
      return await fetchFunction(input, { ...init, signal });
    } catch (error) {
      if (callerSignal?.aborted) throw cancelledByCaller(callerSignal);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  return Object.assign(timed, { [TIMED]: true });
}

/** Marks a fetch function that `withResponseTimeout` already wraps. */
const TIMED = Symbol("paddock.responseTimeout");

/**
 * Returns the error for a request its caller cancelled, such as the tarball download of a run a
 * newer push superseded. Octokit passes an error named AbortError through as it is. Any other
 * error becomes a status 500, which the retry plugin retries after 1, 4 and 9 seconds with the
 * same cancelled signal, and the run's pipeline slot stays taken all that time.
 */
function cancelledByCaller(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  let detail = "request cancelled";
  if (reason instanceof Error) detail = reason.message;
  else if (typeof reason === "string") detail = reason;
  return Object.assign(new Error(detail, { cause: reason }), { name: "AbortError" });
}
