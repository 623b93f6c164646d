import { describeAjvError } from "./openapi-ajv.ts";
import { getOpenApiContext } from "./openapi-context.ts";
import { dereference, type JsonSchema } from "./openapi-spec.ts";

interface OpenApiResponse {
  content?: Record<string, { schema?: JsonSchema }>;
}

/**
 * Checks a JSON response body against the schema GitHub documents for this operation and
 * status. Returns one line per violation, empty when the body fits. The fake's self-tests use
 * it to prove the built-in handlers respond in GitHub's shape.
 */
export function validateGitHubResponse(response: {
  method: string;
  pathTemplate: string;
  status: number;
  body: unknown;
}): string[] {
  const { document, routes, schemas } = getOpenApiContext();
  const route = routes.findByTemplate(response.method, response.pathTemplate);
  if (!route) return [`no operation ${response.method.toUpperCase()} ${response.pathTemplate} exists`];

  const responses = (route.operation as { responses?: Record<string, unknown> }).responses ?? {};
  const documented = responses[String(response.status)];
  if (!documented) {
    return [`status ${response.status} is not documented for ${route.operation.operationId} (documented: ${Object.keys(responses).join(", ")})`];
  }

  const schema = dereference<OpenApiResponse>(document, documented).content?.["application/json"]?.schema;
  if (!schema) return [];

  const key = `${route.operation.operationId} response ${response.status}`;
  const validate = schemas.compile(key, () => schema, { coerceStrings: false });
  if (validate(response.body)) return [];
  return (validate.errors ?? []).map((error) => describeAjvError(`response${error.instancePath}`, error, response.body));
}
