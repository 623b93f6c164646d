/**
 * GitHub's published REST API limits, from the docs.github.com page "Rate limits for the REST
 * API". The primary limit is 5,000 requests an hour for an installation. The secondary limits
 * are 100 concurrent requests and 900 points a minute per endpoint, where GET, HEAD and OPTIONS
 * cost 1 point and POST, PATCH, PUT and DELETE cost 5. In general GitHub also allows 80
 * content-generating requests a minute and 500 an hour.
 */
export const GITHUB_LIMITS = {
  requestsPerHour: 5_000,
  concurrentRequests: 100,
  pointsPerMinutePerEndpoint: 900,
  contentCreatingPerMinute: 80,
  contentCreatingPerHour: 500,
} as const;

/** The limits one loopback GitHub enforces; each defaults to GitHub's value. */
export type GitHubLimits = { -readonly [Name in keyof typeof GITHUB_LIMITS]: number };

/** The message GitHub sends with a secondary rate limit; Octokit's throttling plugin matches "secondary rate". */
export const SECONDARY_LIMIT_MESSAGE = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** A request as the limiter counts it: its sender and its endpoint. */
export interface LimitedRequest {
  /** The installation the token belongs to, or `app` for requests signed with the app's JWT. */
  actor: string;
  method: string;
  /** The OpenAPI path template, so `/check-runs/1` and `/check-runs/2` count as one endpoint. */
  pathTemplate: string;
}

/** Why a request was rejected, and the reply GitHub gives for it. */
export interface LimitRejection {
  limit: "primary" | "concurrency" | "endpoint-points" | "content-per-minute" | "content-per-hour";
  status: 403 | 429;
  headers: Record<string, string>;
  message: string;
}

/** What `admit` decided: a slot to release when the reply is sent, or a rejection. */
export type Admission = { admitted: true; release: () => void; headers: Record<string, string> } | { admitted: false; rejection: LimitRejection };

/**
 * Counts requests per actor in sliding windows and rejects those over a limit, as GitHub does:
 * the primary limit with `x-ratelimit-remaining: 0` and the reset time, a secondary limit with
 * `retry-after` in seconds. A rejected request counts against no limit.
 * NOTE: GitHub does not say which requests are "content-generating"; every POST but the
 * token request counts here, which is the stricter reading.
 */
export class GitHubLimiter {
  readonly #limits: GitHubLimits;
  readonly #now: () => number;
  readonly #secondaryStatus: 403 | 429;
  readonly #requests = new Map<string, number[]>();
  readonly #points = new Map<string, Array<{ at: number; points: number }>>();
  readonly #created = new Map<string, number[]>();
  readonly #inFlight = new Map<string, number>();

  constructor(options: { limits?: Partial<GitHubLimits>; now?: () => number; secondaryStatus?: 403 | 429 } = {}) {
    this.#limits = { ...GITHUB_LIMITS, ...options.limits };
    this.#now = options.now ?? (() => Date.now());
    this.#secondaryStatus = options.secondaryStatus ?? 403;
  }

  /** Checks one request against every limit and, when it fits, counts it. */
  admit(request: LimitedRequest): Admission {
    const now = this.#now();
    const requests = prune(this.#requests, request.actor, now - HOUR_MS);
    const primaryHeaders = this.#primaryHeaders(requests, now);
    if (requests.length >= this.#limits.requestsPerHour) return { admitted: false, rejection: this.#primary(request, primaryHeaders) };

    const secondary = this.#checkSecondary(request, now);
    if (secondary) return { admitted: false, rejection: secondary };

    this.#count(request, now, requests);
    const inFlight = (this.#inFlight.get(request.actor) ?? 0) + 1;
    this.#inFlight.set(request.actor, inFlight);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#inFlight.set(request.actor, (this.#inFlight.get(request.actor) ?? 1) - 1);
    };
    return { admitted: true, release, headers: this.#primaryHeaders(requests, now) };
  }

  #checkSecondary(request: LimitedRequest, now: number): LimitRejection | undefined {
    if ((this.#inFlight.get(request.actor) ?? 0) >= this.#limits.concurrentRequests) return this.#secondary("concurrency", 1);

    const endpoint = `${request.actor} ${request.method} ${request.pathTemplate}`;
    const spent = prune(this.#points, endpoint, now - MINUTE_MS, (entry) => entry.at);
    const cost = WRITE_METHODS.has(request.method) ? 5 : 1;
    const used = spent.reduce((sum, entry) => sum + entry.points, 0);
    if (used + cost > this.#limits.pointsPerMinutePerEndpoint) return this.#secondary("endpoint-points", waitSeconds(spent[0]!.at + MINUTE_MS, now));

    if (!isContentCreating(request)) return undefined;
    const created = prune(this.#created, request.actor, now - HOUR_MS);
    const lastMinute = created.filter((at) => at > now - MINUTE_MS);
    if (lastMinute.length >= this.#limits.contentCreatingPerMinute) return this.#secondary("content-per-minute", waitSeconds(lastMinute[0]! + MINUTE_MS, now));
    if (created.length >= this.#limits.contentCreatingPerHour) return this.#secondary("content-per-hour", waitSeconds(created[0]! + HOUR_MS, now));
    return undefined;
  }

  #count(request: LimitedRequest, now: number, requests: number[]): void {
    requests.push(now);
    const endpoint = `${request.actor} ${request.method} ${request.pathTemplate}`;
    this.#points.get(endpoint)!.push({ at: now, points: WRITE_METHODS.has(request.method) ? 5 : 1 });
    if (isContentCreating(request)) this.#created.get(request.actor)!.push(now);
  }

  #primaryHeaders(requests: number[], now: number): Record<string, string> {
    const resetAt = requests.length > 0 ? requests[0]! + HOUR_MS : now + HOUR_MS;
    return {
      "x-ratelimit-limit": String(this.#limits.requestsPerHour),
      "x-ratelimit-remaining": String(Math.max(0, this.#limits.requestsPerHour - requests.length)),
      "x-ratelimit-used": String(requests.length),
      "x-ratelimit-reset": String(Math.ceil(resetAt / 1000)),
      "x-ratelimit-resource": "core",
    };
  }

  #primary(request: LimitedRequest, headers: Record<string, string>): LimitRejection {
    return { limit: "primary", status: 403, headers, message: `API rate limit exceeded for installation ID ${request.actor}.` };
  }

  #secondary(limit: LimitRejection["limit"], retryAfterSeconds: number): LimitRejection {
    return { limit, status: this.#secondaryStatus, headers: { "retry-after": String(retryAfterSeconds) }, message: SECONDARY_LIMIT_MESSAGE };
  }
}

function isContentCreating(request: LimitedRequest): boolean {
  return request.method === "POST" && !/^\/app\/installations\/\{installation_id\}\/access_tokens$/.test(request.pathTemplate);
}

/** Whole seconds until `freeAt`, at least 1, as `retry-after` carries them. */
function waitSeconds(freeAt: number, now: number): number {
  return Math.max(1, Math.ceil((freeAt - now) / 1000));
}

/** Returns the window's entries for `key`, dropping those at or before `since`. */
function prune<T>(windows: Map<string, T[]>, key: string, since: number, timeOf: (entry: T) => number = (entry) => entry as number): T[] {
  const entries = windows.get(key) ?? [];
  let first = 0;
  while (first < entries.length && timeOf(entries[first]!) <= since) first += 1;
  const kept = first === 0 ? entries : entries.slice(first);
  windows.set(key, kept);
  return kept;
}
