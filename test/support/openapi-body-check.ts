import { describeAjvError } from "./openapi-ajv.ts";
import { getOpenApiContext } from "./openapi-context.ts";
import type { OpenApiRoute } from "./openapi-route-index.ts";
import { dereference, type JsonSchema, type OpenApiDocument, type OpenApiRequestBody } from "./openapi-spec.ts";

/** The parts of a request the body check reads. */
export interface RequestWithBody {
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * Checks the request body against the operation: present when required, absent when the
 * operation takes none, of an accepted content type, and (for JSON) valid against the schema
 * with no unknown top-level property. Pushes one line per violation and returns the parsed
 * body, or `undefined` when none was sent.
 */
export function checkRequestBody(route: OpenApiRoute, request: RequestWithBody, violations: string[]): unknown {
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

function contentType(headers: RequestWithBody["headers"]): string {
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
