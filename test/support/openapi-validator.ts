import { describeAjvError } from "./openapi-ajv.ts";
import { getOpenApiContext } from "./openapi-context.ts";
import type { OpenApiRoute } from "./openapi-route-index.ts";
import { dereference, type JsonSchema, type OpenApiDocument, type OpenApiRequestBody } from "./openapi-spec.ts";

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
  /** Query parameters; a key sent more than once holds an array. */
  query: Record<string, string | string[]>;
  /** The parsed JSON body, or `undefined` when none was sent. */
  body: unknown;
  /** The operation's documentation page, which GitHub puts into its error bodies. */
  documentationUrl: string;
}

/**
 * Thrown by `validateGitHubRequest`; `violations` holds one line per problem, and
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
  const body = checkBody(route, request, violations);

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

  // Path parameters are always required (OpenAPI 3.0.3), whatever the `required` flag says.
  const required = parameters.filter((p) => location === "path" || p.required).map((p) => p.name);
  return { type: "object", properties, required };
}

function checkBody(route: OpenApiRoute, request: GitHubRequest, violations: string[]): unknown {
  const { document, schemas } = getOpenApiContext();
  const requestBody = route.operation.requestBody
    ? dereference<OpenApiRequestBody>(document, route.operation.requestBody)
    : undefined;
  const sent = !isAbsentBody(request.body);

  if (!sent) {
    if (requestBody?.required) violations.push("the request body is required but none was sent");
    return undefined;
  }
  if (!requestBody) {
    violations.push(`the operation takes no request body, but one was sent: ${preview(request.body)}`);
    return request.body;
  }

  const mediaType = contentType(request.headers);
  const content = requestBody.content ?? {};
  if (!(mediaType in content)) {
    violations.push(`content-type ${mediaType} is not accepted (accepted: ${Object.keys(content).join(", ")})`);
    return request.body;
  }
  if (!isJsonMediaType(mediaType)) return request.body;

  const body = parseJsonBody(request.body, violations);
  if (body === undefined) return request.body;

  const schema = content[mediaType]?.schema ?? {};
  const validate = schemas.compile(`${route.operation.operationId} body`, () => schema, { coerceStrings: false });
  if (!validate(body)) {
    for (const error of validate.errors ?? []) violations.push(describeAjvError(`body${error.instancePath}`, error, body));
  }
  checkUnknownBodyProperties(document, schema, body, violations);
  return body;
}

/**
 * Flags top-level body properties the operation does not define. The schemas allow them (no
 * `additionalProperties: false`) and GitHub drops them silently, so a misspelled field would
 * otherwise pass. Properties named in anyOf, oneOf or allOf branches count as defined; a root
 * schema that sets `additionalProperties` itself is left to Ajv.
 */
function checkUnknownBodyProperties(
  document: OpenApiDocument,
  schema: JsonSchema,
  body: unknown,
  violations: string[],
): void {
  const root = dereference<JsonSchema>(document, schema);
  if ("additionalProperties" in root) return;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;

  const known = new Set(Object.keys((root.properties as object | undefined) ?? {}));
  for (const keyword of ["anyOf", "oneOf", "allOf"]) {
    for (const branch of (root[keyword] as JsonSchema[] | undefined) ?? []) {
      const resolved = dereference<JsonSchema>(document, branch);
      for (const name of Object.keys((resolved.properties as object | undefined) ?? {})) known.add(name);
    }
  }
  if (known.size === 0) return;

  for (const name of Object.keys(body)) {
    if (!known.has(name)) violations.push(`body/${name} is not a property of this operation (known: ${[...known].join(", ")})`);
  }
}

function isAbsentBody(body: unknown): boolean {
  if (body === undefined || body === null || body === "") return true;
  return Buffer.isBuffer(body) && body.length === 0;
}

function contentType(headers: GitHubRequest["headers"]): string {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === "content-type");
  const value = Array.isArray(entry?.[1]) ? entry[1][0] : entry?.[1];
  // Octokit always sends a content type with a body; a bare client that omits it means JSON.
  return (value ?? "application/json").split(";")[0]!.trim().toLowerCase();
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

function parseJsonBody(body: unknown, violations: string[]): unknown {
  if (typeof body !== "string" && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString()) as unknown;
  } catch (error) {
    violations.push(`the request body is not valid JSON (${(error as Error).message}): ${preview(body)}`);
    return undefined;
  }
}

function preview(body: unknown): string {
  const text = typeof body === "string" ? body : Buffer.isBuffer(body) ? body.toString() : JSON.stringify(body);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}
