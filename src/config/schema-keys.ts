import type { z } from "zod";

interface SchemaDefinition {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
}

function definitionOf(schema: z.ZodType): SchemaDefinition {
  return (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;
}

/** Unwraps defaults, optionals and pipes down to the schema that holds the data's shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const definition = definitionOf(current);
    const inner = definition.innerType ?? (definition.type === "pipe" ? definition.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

/** Lists the field names that the object schema at `path` accepts; empty when it is not an object. */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let current = unwrap(schema);
  for (const segment of path) {
    const definition = definitionOf(current);
    if (definition.type === "object" && definition.shape && typeof segment === "string") {
      const child = definition.shape[segment];
      if (!child) return [];
      current = unwrap(child);
    } else if (definition.type === "array" && definition.element) {
      current = unwrap(definition.element);
    } else if (definition.type === "record" && definition.valueType) {
      current = unwrap(definition.valueType);
    } else {
      return [];
    }
  }
  const definition = definitionOf(current);
  return definition.type === "object" && definition.shape ? Object.keys(definition.shape) : [];
}
