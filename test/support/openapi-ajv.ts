import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";

import { bundleSchema } from "./openapi-schema-bundle.ts";
import type { JsonSchema, OpenApiDocument } from "./openapi-spec.ts";

/** Compiles schemas of one OpenAPI document lazily and keeps each compiled validator. */
export interface SchemaCompiler {
  /** Returns the validator cached under `key`, compiling `schema()` on the first call. */
  compile(key: string, schema: () => JsonSchema, options: { coerceStrings: boolean }): ValidateFunction;
}

// GitHub's description uses one format that neither Ajv nor ajv-formats defines.
const REPO_NWO_FORMAT = /^[^/]+\/[^/]+$/;

/**
 * Creates two Ajv instances: one that validates JSON bodies as sent, and one that coerces
 * strings (path and query values arrive as text) to the declared types before it checks them.
 */
export function createSchemaCompiler(document: OpenApiDocument): SchemaCompiler {
  const strictAjv = newAjv({ coerceTypes: false });
  const coercingAjv = newAjv({ coerceTypes: "array" });
  const cache = new Map<string, ValidateFunction>();

  return {
    compile(key, schema, { coerceStrings }) {
      const cacheKey = `${coerceStrings ? "coerce" : "strict"} ${key}`;
      const cached = cache.get(cacheKey);
      if (cached) return cached;

      const ajv = coerceStrings ? coercingAjv : strictAjv;
      const validate = ajv.compile(bundleSchema(document, schema()));
      cache.set(cacheKey, validate);
      return validate;
    },
  };
}

function newAjv(options: { coerceTypes: false | "array" }): Ajv {
  // strict: false because OpenAPI adds keywords JSON Schema lacks (example, discriminator, x-*).
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: options.coerceTypes });
  ajvFormats.default(ajv);
  ajv.addFormat("repo.nwo", REPO_NWO_FORMAT);
  return ajv;
}

/**
 * Formats one Ajv error as `<subject> <message>`, adds the allowed values of an enum and the
 * name of an unexpected property, and shows the rejected value (found in `data` at the error's
 * instance path) when it is short.
 */
export function describeAjvError(subject: string, error: ErrorObject, data: unknown): string {
  let text = `${subject} ${error.message ?? "is invalid"}`;

  const params = error.params as Record<string, unknown>;
  if (Array.isArray(params.allowedValues)) text += ` (${params.allowedValues.join(", ")})`;
  if (typeof params.additionalProperty === "string") text += ` ("${params.additionalProperty}")`;

  if (error.keyword !== "required" && error.keyword !== "additionalProperties") {
    const value = valueAt(data, error.instancePath);
    const preview = value === undefined ? undefined : JSON.stringify(value);
    if (preview !== undefined && preview.length <= 80) text += `, got ${preview}`;
  }
  return text;
}

function valueAt(data: unknown, instancePath: string): unknown {
  if (instancePath === "") return data;

  let node = data;
  for (const rawPart of instancePath.slice(1).split("/")) {
    const part = rawPart.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
