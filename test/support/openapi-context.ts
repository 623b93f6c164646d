import { createSchemaCompiler, type SchemaCompiler } from "./openapi-ajv.ts";
import { indexOpenApiRoutes, type OpenApiRouteIndex } from "./openapi-route-index.ts";
import { loadOpenApiDocument, type OpenApiDocument } from "./openapi-spec.ts";

/** The parsed description, its route index and its compiled-schema cache. */
export interface OpenApiContext {
  document: OpenApiDocument;
  routes: OpenApiRouteIndex;
  schemas: SchemaCompiler;
}

let context: OpenApiContext | undefined;

/** Returns the process-wide context, loading the description on the first call. */
export function getOpenApiContext(): OpenApiContext {
  if (!context) {
    const document = loadOpenApiDocument();
    context = { document, routes: indexOpenApiRoutes(document), schemas: createSchemaCompiler(document) };
  }
  return context;
}
