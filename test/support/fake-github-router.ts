import { checkAuthorization } from "./fake-github-auth.ts";
import {
  githubErrorBody,
  jsonResponse,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
  type InjectedFailure,
  type RecordedCall,
} from "./fake-github-types.ts";
import { findGitHubRoute, GitHubRequestViolationError, validateGitHubRequest } from "./openapi-validator.ts";

/** A request as it arrived at the interceptor. */
export interface RawRequest {
  method: string;
  /** Path with query string. */
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

/** The outcome of one request: the response, the record, and the violation if any. */
export interface DispatchResult {
  response: FakeResponse;
  call: RecordedCall;
  violation: string | undefined;
}

/** Routes validated requests to handlers keyed `"METHOD /path/template"`. */
export interface FakeRouter {
  on(route: string, handler: FakeHandler): void;
  failNext(route: string, failure: InjectedFailure): void;
  dispatch(request: RawRequest): Promise<DispatchResult>;
}

/** Creates a router; with `requireAuth`, requests whose credentials GitHub would reject fail. */
export function createFakeRouter(options: { requireAuth: boolean; isMinted: (token: string) => boolean }): FakeRouter {
  const handlers = new Map<string, FakeHandler>();
  const failures = new Map<string, InjectedFailure[]>();

  return {
    on(route, handler) {
      handlers.set(checkRouteKey(route), handler);
    },
    failNext(route, failure) {
      const key = checkRouteKey(route);
      const queue = failures.get(key) ?? [];
      for (let count = 0; count < (failure.times ?? 1); count += 1) queue.push(failure);
      failures.set(key, queue);
    },
    async dispatch(raw) {
      const validated = validate(raw);
      if ("violation" in validated) return validated.violation;

      const { request } = validated;
      const key = `${request.method} ${request.pathTemplate}`;
      const authProblem = options.requireAuth
        ? checkAuthorization({ pathTemplate: request.pathTemplate, authorization: raw.headers.authorization, isMinted: options.isMinted })
        : undefined;
      if (authProblem) return rejected(raw, request, 401, { message: "Bad credentials", detail: authProblem });

      const failure = failures.get(key)?.shift();
      if (failure) return answered(raw, request, injectedResponse(request, failure));

      const handler = handlers.get(key);
      if (!handler) {
        const detail = `the fake GitHub has no handler for ${key}; add one with fake.on("${key}", handler)`;
        return rejected(raw, request, 501, { message: "Not Implemented", detail });
      }
      return answered(raw, request, await runHandler(handler, request));
    },
  };
}

function checkRouteKey(route: string): string {
  const [method = "", pathTemplate = ""] = route.trim().split(/\s+/, 2);
  if (!findGitHubRoute(method, pathTemplate)) {
    throw new Error(`Unknown GitHub route "${route}": expected "METHOD /path/template" as GitHub's OpenAPI description writes it`);
  }
  return `${method.toUpperCase()} ${pathTemplate}`;
}

function validate(raw: RawRequest): { request: FakeRequest } | { violation: DispatchResult } {
  try {
    const validated = validateGitHubRequest({ method: raw.method, url: raw.path, body: raw.body, headers: raw.headers });
    const request: FakeRequest = { ...validated, method: raw.method.toUpperCase(), path: raw.path.split("?")[0] ?? "", headers: raw.headers };
    return { request };
  } catch (error) {
    if (!(error instanceof GitHubRequestViolationError)) throw error;
    // GitHub returns 404 for an unknown route and 422 for an invalid request.
    const status = error.operationId === undefined ? 404 : 422;
    const message = status === 404 ? "Not Found" : "Invalid request.";
    const body = { ...githubErrorBody(status, message, "https://docs.github.com/rest"), errors: error.violations };
    const response = jsonResponse(status, body);
    const call = recordOf(raw, undefined, status);
    return { violation: { response, call: { ...call, operationId: error.operationId }, violation: error.message } };
  }
}

function injectedResponse(request: FakeRequest, failure: InjectedFailure): FakeResponse {
  const body = failure.body ?? githubErrorBody(failure.status, "Injected failure", request.documentationUrl);
  const response = jsonResponse(failure.status, body);
  return { ...response, headers: { ...response.headers, ...failure.headers } };
}

async function runHandler(handler: FakeHandler, request: FakeRequest): Promise<FakeResponse> {
  try {
    return await handler(request);
  } catch (error) {
    const detail = `the handler for ${request.method} ${request.pathTemplate} threw: ${(error as Error).stack ?? String(error)}`;
    return { ...jsonResponse(500, githubErrorBody(500, "Server Error", request.documentationUrl)), violation: detail };
  }
}

function rejected(raw: RawRequest, request: FakeRequest, status: number, text: { message: string; detail: string }): DispatchResult {
  const body = { ...githubErrorBody(status, text.message, request.documentationUrl), detail: text.detail };
  const response = { ...jsonResponse(status, body), violation: text.detail };
  return answered(raw, request, response);
}

function answered(raw: RawRequest, request: FakeRequest, response: FakeResponse): DispatchResult {
  const violation = response.violation === undefined ? undefined : `${request.method} ${raw.path}: ${response.violation}`;
  return { response, call: recordOf(raw, request, response.status), violation };
}

function recordOf(raw: RawRequest, request: FakeRequest | undefined, status: number): RecordedCall {
  return {
    method: raw.method.toUpperCase(),
    path: raw.path,
    operationId: request?.operationId,
    pathTemplate: request?.pathTemplate,
    params: request?.params ?? {},
    query: request?.query ?? {},
    body: request ? request.body : raw.body,
    status,
  };
}
