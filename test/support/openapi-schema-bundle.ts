import { isReference, resolvePointer, type JsonSchema, type OpenApiDocument } from "./openapi-spec.ts";

const SCHEMA_PREFIX = "#/components/schemas/";

/**
 * Turns one schema of the document into a self-contained JSON Schema that Ajv can compile.
 * Every `#/components/schemas/X` it reaches, directly or through other components, is copied
 * under `definitions`, so recursive schemas still work. Other `$ref`s are inlined. Every
 * OpenAPI `nullable: true` becomes `anyOf: [schema, { type: "null" }]`, which Ajv accepts with
 * or without a `type` beside it.
 */
export function bundleSchema(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const definitions: Record<string, unknown> = {};
  const pending: string[] = [];

  const root = rewriteNode(document, schema, (name) => {
    if (name in definitions || pending.includes(name)) return;
    pending.push(name);
  }) as JsonSchema;

  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    // A placeholder first, so a component that refers to itself is not queued again.
    definitions[name] = true;
    const component = resolvePointer(document, SCHEMA_PREFIX + encodePointerPart(name));
    definitions[name] = rewriteNode(document, component, (next) => {
      if (next in definitions || pending.includes(next)) return;
      pending.push(next);
    });
  }

  return Object.keys(definitions).length > 0 ? { ...root, definitions } : root;
}

function rewriteNode(document: OpenApiDocument, node: unknown, onComponent: (name: string) => void): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteNode(document, item, onComponent));
  if (typeof node !== "object" || node === null) return node;

  if (isReference(node)) {
    if (node.$ref.startsWith(SCHEMA_PREFIX)) {
      const name = decodePointerPart(node.$ref.slice(SCHEMA_PREFIX.length));
      onComponent(name);
      return { $ref: `#/definitions/${encodePointerPart(name)}` };
    }
    return rewriteNode(document, resolvePointer(document, node.$ref), onComponent);
  }

  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] = rewriteNode(document, value, onComponent);
  }

  if (copy.nullable !== true) return copy;
  delete copy.nullable;
  return { anyOf: [copy, { type: "null" }] };
}

function encodePointerPart(part: string): string {
  return part.replace(/~/g, "~0").replace(/\//g, "~1");
}

function decodePointerPart(part: string): string {
  return part.replace(/~1/g, "/").replace(/~0/g, "~");
}
