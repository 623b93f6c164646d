import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** A JSON Schema object as GitHub's OpenAPI 3.0.3 description writes it. */
export type JsonSchema = { [keyword: string]: unknown };

/** A `{ "$ref": "#/components/..." }` pointer. */
export interface OpenApiReference {
  $ref: string;
}

/** One operation parameter, after any `$ref` is resolved. */
export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
  "x-multi-segment"?: boolean;
}

/** The request body of an operation, keyed by media type. */
export interface OpenApiRequestBody {
  required?: boolean;
  content?: Record<string, { schema?: JsonSchema }>;
}

/** One operation (a method on a path) of GitHub's REST API. */
export interface OpenApiOperation {
  operationId: string;
  parameters?: (OpenApiParameter | OpenApiReference)[];
  requestBody?: OpenApiRequestBody | OpenApiReference;
  externalDocs?: { url?: string };
}

/** The parts of the OpenAPI document the validator reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation | unknown>>;
  components: Record<string, Record<string, unknown>>;
}

/** Methods an OpenAPI path item can hold, lowercase as the document writes them. */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const require = createRequire(import.meta.url);

// The package is 385 MB, so it is never imported: only this one file is read.
const SPEC_FILE = "@octokit/openapi/generated/api.github.com.json";

let cachedDocument: OpenApiDocument | undefined;

/**
 * Reads and parses GitHub's OpenAPI description (about 13 MB) on the first call and returns
 * the same parsed object on every later call in this process.
 */
export function loadOpenApiDocument(): OpenApiDocument {
  if (cachedDocument) return cachedDocument;

  const text = readFileSync(require.resolve(SPEC_FILE), "utf8");
  cachedDocument = JSON.parse(text) as OpenApiDocument;
  return cachedDocument;
}

/** Tells a `$ref` pointer apart from an inline object. */
export function isReference(value: unknown): value is OpenApiReference {
  return typeof value === "object" && value !== null && typeof (value as OpenApiReference).$ref === "string";
}

/**
 * Follows a local pointer such as `#/components/parameters/owner` inside the document.
 * Throws when the pointer is not local or names a missing component.
 */
export function resolvePointer(document: OpenApiDocument, pointer: string): unknown {
  if (!pointer.startsWith("#/")) {
    throw new Error(`Unsupported $ref "${pointer}": only local "#/..." pointers are resolved`);
  }

  let node: unknown = document;
  for (const rawPart of pointer.slice(2).split("/")) {
    const part = rawPart.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null || !(part in node)) {
      throw new Error(`Unresolvable $ref "${pointer}": "${part}" is missing`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Returns `value` itself, or the component its `$ref` points to. */
export function dereference<T>(document: OpenApiDocument, value: T | OpenApiReference): T {
  return isReference(value) ? (resolvePointer(document, value.$ref) as T) : value;
}
