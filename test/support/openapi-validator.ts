import { describeAjvError } from "./openapi-ajv.ts";
import { checkRequestBody } from "./openapi-body-check.ts";
import { getOpenApiContext } from "./openapi-context.ts";
import type { OpenApiRoute } from "./openapi-route-index.ts";
import type { JsonSchema } from "./openapi-spec.ts";

/** The host every operation of the description is served from. */
export const GITHUB_API_ORIGIN = "https://api.github.com";

/** A request as a mock server saw it. `url` is absolute or a path on api.github.com. */
export interface GitHubRequest {
  method: string;
  url: string;
  /** A parsed JSON value, the raw text, or absent (`undefined`, `null`, `""`). */
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

/** The operation a valid request maps to. */
export interface ValidatedGitHubRequest {
  operationId: string;
  pathTemplate: string;
  /** Path parameters, percent-decoded, as strings. */
  params: Record<string, string>;
  /** Query parameters. A key sent more than once maps to an array. */
  query: Record<string, string | string[]>;
  /** The parsed JSON body, or `undefined` when none was sent. */
  body: unknown;
  /** The operation's documentation page, which GitHub puts into its error bodies. */
  documentationUrl: string;
}

/**
 * Thrown by `validateGitHubRequest`; `violations` contains one line per problem, and
 * `operationId` is undefined when no operation matched the method and path.
 */
export class GitHubRequestViolationError extends Error {
  override readonly name = "GitHubRequestViolationError";
  readonly method: string;
  readonly path: string;
  readonly operationId: string | undefined;
  readonly violations: string[];

  constructor(options: { method: string; path: string; route?: OpenApiRoute; violations: string[] }) {
    const { route } = options;
    const where = route ? ` (${route.operation.operationId}, ${route.method} ${route.pathTemplate})` : "";
    const lines = options.violations.map((violation) => `  - ${violation}`).join("\n");
    super(`Invalid GitHub request ${options.method} ${options.path}${where}:\n${lines}`);
    this.method = options.method;
    this.path = options.path;
    this.operationId = route?.operation.operationId;
    this.violations = options.violations;
  }
}

/** Returns the route with this method and template, or undefined; used to check handler keys. */
export function findGitHubRoute(method: string, pathTemplate: string): OpenApiRoute | undefined {
  return getOpenApiContext().routes.findByTemplate(method, pathTemplate);
}

/**
 * Checks a request against GitHub's OpenAPI description: the route exists for the method, path
 * and query parameters are known and fit their schemas, and a JSON body fits the request body
 * schema. Returns the matched operation, or throws `GitHubRequestViolationError` listing every
 * violation found.
 */
export function validateGitHubRequest(request: GitHubRequest): ValidatedGitHubRequest {
  const { routes } = getOpenApiContext();
  const method = request.method.toUpperCase();
  const url = new URL(request.url, GITHUB_API_ORIGIN);
  const shownPath = url.pathname + url.search;

  if (url.origin !== GITHUB_API_ORIGIN) {
    const violation = `the origin ${url.origin} is not ${GITHUB_API_ORIGIN}, so no operation of this description applies`;
    throw new GitHubRequestViolationError({ method, path: request.url, violations: [violation] });
  }

  const match = routes.match(method, url.pathname);
  if (!match) {
    throw new GitHubRequestViolationError({ method, path: shownPath, violations: [describeMissingRoute(url.pathname)] });
  }

  const { route } = match;
  const violations: string[] = [];
  const params = decodePathParams(match.encodedParams, violations);
  const query = collectQuery(url.searchParams);

  checkParameters(route, "path", params, violations);
  checkUnknownQuery(route, query, violations);
  checkParameters(route, "query", query, violations);
  const body = checkRequestBody(route, request, violations);

  if (violations.length > 0) {
    throw new GitHubRequestViolationError({ method, path: shownPath, route, violations });
  }
  return {
    operationId: route.operation.operationId,
    pathTemplate: route.pathTemplate,
    params,
    query,
    body,
    documentationUrl: route.operation.externalDocs?.url ?? "https://docs.github.com/rest",
  };
}

function describeMissingRoute(path: string): string {
  const methods = getOpenApiContext().routes.methodsForPath(path);
  if (methods.length === 0) return `no operation of GitHub's REST API has the path ${path}`;
  return `the path exists only for ${methods.join(", ")}`;
}

function decodePathParams(encoded: Record<string, string>, violations: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(encoded)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      violations.push(`path parameter ${name} is not valid percent-encoding: "${value}"`);
      params[name] = value;
    }
  }
  return params;
}

function collectQuery(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of search) {
    const previous = query[key];
    if (previous === undefined) query[key] = value;
    else query[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return query;
}

function checkUnknownQuery(route: OpenApiRoute, query: Record<string, unknown>, violations: string[]): void {
  const known = new Set(route.parameters.filter((p) => p.in === "query").map((p) => p.name));
  for (const name of Object.keys(query)) {
    if (!known.has(name)) {
      const allowed = known.size > 0 ? `known: ${[...known].join(", ")}` : "the operation takes none";
      violations.push(`unknown query parameter ${name} (${allowed})`);
    }
  }
}

function checkParameters(
  route: OpenApiRoute,
  location: "path" | "query",
  values: Record<string, unknown>,
  violations: string[],
): void {
  const { schemas } = getOpenApiContext();
  const key = `${route.operation.operationId} ${location}`;
  const validate = schemas.compile(key, () => parametersSchema(route, location), { coerceStrings: true });

  // Ajv coerces in place, so it gets a copy: callers keep the strings the client sent.
  const data = { ...values };
  if (validate(data)) return;

  for (const error of validate.errors ?? []) {
    // Each property of `data` is one parameter, so the first path segment is its name.
    const name = error.instancePath.slice(1).split("/")[0];
    const subject = name ? `${location} parameter ${name}` : `${location} parameters`;
    violations.push(describeAjvError(subject, error, values));
  }
}

function parametersSchema(route: OpenApiRoute, location: "path" | "query"): JsonSchema {
  const parameters = route.parameters.filter((p) => p.in === location);
  const properties: Record<string, unknown> = {};
  for (const parameter of parameters) properties[parameter.name] = parameter.schema ?? {};

  // OpenAPI 3.0.3 makes every path parameter required, regardless of its `required` flag.
  const required = parameters.filter((p) => location === "path" || p.required).map((p) => p.name);
  return { type: "object", properties, required };
}
