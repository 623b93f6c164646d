import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { createCheckRunStore, type FakeCheckRun } from "../support/fake-github-check-runs.ts";
import { createFakeRouter, type FakeRouter } from "../support/fake-github-router.ts";
import { FAKE_APP_ID, githubErrorBody, type FakeHandler, type FakeRequest, type FakeResponse, type FakeViolation } from "../support/fake-github-types.ts";
import { getOpenApiContext } from "../support/openapi-context.ts";
import { FaultQueue, MAX_HANG_MS, type LoopbackFault } from "./faults.ts";
import { GitHubLimiter, type GitHubLimits, type LimitRejection } from "./github-limits.ts";
import { InstallationTokens } from "./installation-tokens.ts";
import { RepositoryStore, type ServedPullRequest, type ServedRepository } from "./repository-store.ts";
import { readBody, writeResponse } from "./http-io.ts";

/** Options of `startLoopbackGitHub`; every field has a default. */
export interface LoopbackGitHubOptions {
  /** Enforces GitHub's published limits (see GITHUB_LIMITS): `true` for GitHub's values, an object to change some. Off by default. */
  limits?: boolean | Partial<GitHubLimits>;
  /** Status of a secondary-limit rejection; GitHub sends 403 or 429. Defaults to 403. */
  secondaryStatus?: 403 | 429;
  /** Lifetime of minted installation tokens; one hour by default, as on GitHub. */
  tokenLifetimeMs?: number;
  /** Clock in ms for limits and token expiry; defaults to `Date.now`. */
  now?: () => number;
}

/** One request the loopback GitHub received, whatever became of it. */
export interface LoopbackCall {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  pathTemplate: string | undefined;
  /** The installation of the request's token; undefined for the app's JWT or no credentials. */
  installationId: number | undefined;
  /** The status sent, or 0 when the request was hung up or dropped. */
  status: number;
  body: unknown;
  /** `performance.now()` when the request arrived and when its response was sent. */
  receivedAt: number;
  answeredAt: number;
  /** Set when a limit rejected the request. */
  limit?: LimitRejection["limit"];
  /** Set when an injected fault produced the response. */
  fault?: LoopbackFault["kind"];
}

/** A GitHub REST API on 127.0.0.1 that Probot reaches through its `baseUrl` option. */
export interface LoopbackGitHub {
  /** API origin, e.g. `http://127.0.0.1:40123`; pass it to Probot as `baseUrl`. */
  readonly baseUrl: string;
  /** The origin tarball downloads are redirected to, a second port as codeload.github.com is a second host. */
  readonly codeloadUrl: string;
  readonly calls: LoopbackCall[];
  /** Requests real GitHub would reject as invalid (wrong route, body or credentials). */
  readonly violations: FakeViolation[];
  readonly tokens: InstallationTokens;
  /** Number of tarball downloads served. */
  downloads(): number;
  serveRepository(repository: ServedRepository): void;
  setPullRequest(options: { owner: string; repo: string; pullRequest: ServedPullRequest }): void;
  /** Adds or replaces the handler of one route. */
  on(route: string, handler: FakeHandler): void;
  /**
   * Serves `handlers` for the requests `owns` claims, such as one audit repository's Git Data
   * routes, and leaves every other request of those routes to the handler it had before.
   */
  mount(handlers: Record<string, FakeHandler>, owns: (request: FakeRequest) => boolean): void;
  /** Makes the next `times` requests to `route` ("METHOD /path/template" or "*") fail with `fault`. */
  inject(route: string, fault: LoopbackFault, times?: number): void;
  pendingFaults(route?: string): number;
  checkRuns(): FakeCheckRun[];
  /** Throws listing every violation; call it after `close`. */
  assertNoViolations(): void;
  /** Stops both servers, cutting open and hung connections. */
  close(): Promise<void>;
}

/** Starts the loopback GitHub on free ports of 127.0.0.1. */
export async function startLoopbackGitHub(options: LoopbackGitHubOptions = {}): Promise<LoopbackGitHub> {
  const now = options.now ?? (() => Date.now());
  const tokens = new InstallationTokens({ lifetimeMs: options.tokenLifetimeMs });
  let codeloadUrl = "";
  const repositories = new RepositoryStore({ codeloadOrigin: () => codeloadUrl });
  const checkRuns = createCheckRunStore({ appId: FAKE_APP_ID, now: () => new Date(now()) });
  const router = createFakeRouter({ requireAuth: true, isMinted: (token) => tokens.isMinted(token) });
  const registered = new Map<string, FakeHandler>();
  const on = (route: string, handler: FakeHandler): void => {
    router.on(route, handler);
    registered.set(route, handler);
  };
  for (const handlers of [repositories.handlers, checkRuns.handlers, tokenHandlers(tokens, now)]) {
    for (const [route, handler] of Object.entries(handlers)) on(route, handler);
  }

  const state: ServerState = {
    router,
    tokens,
    now,
    faults: new FaultQueue(),
    limiter: options.limits ? new GitHubLimiter({ limits: options.limits === true ? {} : options.limits, now, secondaryStatus: options.secondaryStatus }) : undefined,
    calls: [],
    violations: [],
  };
  let downloads = 0;
  const api = await listen((request, response) => {
    // A body over the size limit, or a client that hung up, ends the connection without a response.
    handleApiRequest(state, request, response).catch(() => response.destroy());
  });
  const codeload = await listen((request, response) => {
    downloads += 1;
    void repositories.serveDownload(request.url ?? "/").then((answer) => writeResponse(response, answer));
  });
  codeloadUrl = codeload.origin;

  return {
    baseUrl: api.origin,
    codeloadUrl,
    calls: state.calls,
    violations: state.violations,
    tokens,
    downloads: () => downloads,
    serveRepository: (repository) => repositories.serve(repository),
    setPullRequest: (pull) => repositories.setPullRequest(pull),
    on,
    mount(handlers, owns) {
      for (const [route, handler] of Object.entries(handlers)) {
        const previous = registered.get(route);
        on(route, (request) => (owns(request) || !previous ? handler(request) : previous(request)));
      }
    },
    inject: (route, fault, times) => state.faults.add(route, fault, times),
    pendingFaults: (route) => state.faults.pending(route),
    checkRuns: () => checkRuns.list(),
    assertNoViolations() {
      if (state.violations.length === 0) return;
      throw new Error(`The loopback GitHub recorded ${state.violations.length} violation(s):\n${state.violations.map((violation) => `- [${violation.status}] ${violation.message}`).join("\n")}`);
    },
    async close() {
      await Promise.all([api.close(), codeload.close()]);
    },
  };
}

interface ServerState {
  router: FakeRouter;
  tokens: InstallationTokens;
  now: () => number;
  faults: FaultQueue;
  limiter: GitHubLimiter | undefined;
  calls: LoopbackCall[];
  violations: FakeViolation[];
}

/** Prefix of GitHub Enterprise Server's REST API, which Probot puts after GHE_HOST. */
export const ENTERPRISE_API_PREFIX = "/api/v3";

// Serves `/api/v3/...` as `/...`, so an app started with GHE_HOST=<this host> reaches the same routes.
function stripEnterprisePrefix(path: string): string {
  if (path === ENTERPRISE_API_PREFIX) return "/";
  if (path.startsWith(`${ENTERPRISE_API_PREFIX}/`) || path.startsWith(`${ENTERPRISE_API_PREFIX}?`)) return path.slice(ENTERPRISE_API_PREFIX.length);
  return path;
}

async function handleApiRequest(state: ServerState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const receivedAt = performance.now();
  const raw = { method: (request.method ?? "GET").toUpperCase(), path: stripEnterprisePrefix(request.url ?? "/"), headers: lowercase(request.headers), body: await readBody(request) };
  const pathTemplate = getOpenApiContext().routes.match(raw.method, raw.path.split("?")[0]!)?.route.pathTemplate;
  const credential = readCredential(state, raw.headers.authorization);
  // The call keeps the path as sent, with any /api/v3 prefix.
  const call: LoopbackCall = { method: raw.method, path: request.url ?? "/", pathTemplate, installationId: credential.installationId, status: 0, body: raw.body, receivedAt, answeredAt: 0 };
  state.calls.push(call);
  const answer = (answerWith: FakeResponse, extraHeaders: Record<string, string> = {}): void => {
    call.status = answerWith.status;
    call.answeredAt = performance.now();
    writeResponse(response, { ...answerWith, headers: { ...answerWith.headers, ...extraHeaders } });
  };

  // 1. An expired token gets GitHub's 401 before anything else looks at the request.
  if (credential.expired) return answer(githubError(401, "Bad credentials"));

  // 2. Limits, for requests that name an endpoint.
  let limitHeaders: Record<string, string> = {};
  if (state.limiter && pathTemplate) {
    const admission = state.limiter.admit({ actor: credential.installationId === undefined ? "app" : String(credential.installationId), method: raw.method, pathTemplate });
    if (!admission.admitted) {
      call.limit = admission.rejection.limit;
      return answer(githubError(admission.rejection.status, admission.rejection.message), admission.rejection.headers);
    }
    limitHeaders = admission.headers;
    response.once("close", admission.release);
  }

  // 3. An injected fault, or the real answer.
  const fault = pathTemplate ? state.faults.take(raw.method, pathTemplate) : undefined;
  if (fault) {
    call.fault = fault.kind;
    return applyFault({ fault, state, response, token: credential.token, answer });
  }
  const result = await state.router.dispatch(raw);
  if (result.violation) state.violations.push({ method: raw.method, path: raw.path, status: result.response.status, message: result.violation });
  answer(result.response, limitHeaders);
}

function applyFault(options: { fault: LoopbackFault; state: ServerState; response: ServerResponse; token: string | undefined; answer: (response: FakeResponse) => void }): void {
  const { fault, state, response, token, answer } = options;
  switch (fault.kind) {
    case "status":
      answer({ ...githubError(fault.status, fault.message ?? "Injected failure"), headers: { "content-type": "application/json; charset=utf-8", ...fault.headers } });
      return;
    case "hang": {
      const timer = setTimeout(() => response.destroy(), Math.min(fault.ms ?? MAX_HANG_MS, MAX_HANG_MS));
      response.once("close", () => clearTimeout(timer));
      return;
    }
    case "drop":
      response.socket?.destroy();
      return;
    case "expire-token":
      if (token) state.tokens.expire(token);
      answer(githubError(401, "Bad credentials"));
      return;
  }
}

function readCredential(state: ServerState, authorization: string | undefined): { token?: string; installationId?: number; expired: boolean } {
  const [, credential = ""] = (authorization ?? "").split(/\s+/, 2);
  const found = state.tokens.lookup(credential, state.now());
  if (!found) return { expired: false };
  return { token: credential, installationId: found.installationId, expired: !found.valid };
}

function tokenHandlers(tokens: InstallationTokens, now: () => number): Record<string, FakeHandler> {
  return {
    "POST /app/installations/{installation_id}/access_tokens": (request) => {
      const { token, expiresAt } = tokens.mint(Number(request.params.installation_id), now());
      const body = { token, expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"), permissions: { checks: "write", contents: "read", metadata: "read", pull_requests: "read" }, repository_selection: "all" };
      return { status: 201, body, headers: { "content-type": "application/json; charset=utf-8" } };
    },
  };
}

function githubError(status: number, message: string): FakeResponse {
  return { status, body: githubErrorBody(status, message, "https://docs.github.com/rest"), headers: { "content-type": "application/json; charset=utf-8" } };
}

function lowercase(headers: IncomingMessage["headers"]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return result;
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
