import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import type { z } from "zod";
import type { ConfigProblem } from "./config-problem.ts";
import { findNearestName } from "./nearest-name.ts";
import { knownKeysAt } from "./schema-keys.ts";

/** Largest config file accepted, in bytes; larger files are rejected before parsing. */
export const MAX_CONFIG_BYTES = 1_048_576;
/** Most alias expansions allowed in one file, which stops "billion laughs" documents. */
export const MAX_ALIAS_COUNT = 100;

/** Keys that name JavaScript prototype machinery; a config never needs them and they are rejected anywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Returns the 1-based line and column of the value at a path, or of its nearest existing parent. */
export type FieldLocator = (path: readonly (string | number)[]) => { line: number; column: number };

export type ParsedConfig<T> = { ok: true; value: T; locate: FieldLocator } | { ok: false; problems: ConfigProblem[] };

/**
 * Parses YAML text and validates it with a zod schema. Every problem carries the file, line,
 * column and field, so it can be shown as an annotation; nothing is guessed on failure.
 */
export function parseConfigFile<Schema extends z.ZodType>(options: {
  text: string;
  file: string;
  schema: Schema;
}): ParsedConfig<z.output<Schema>> {
  const { text, file, schema } = options;

  // 1. Bound the input before the parser sees it.
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES) {
    return fail(file, `file is ${bytes} bytes, over the limit of ${MAX_CONFIG_BYTES} bytes: shorten it`);
  }

  // 2. Parse, rejecting duplicate keys, tab indentation and every other YAML error.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => ({
        file,
        ...position(lineCounter, error.pos[0]),
        field: "",
        message: describeYamlError(error.code, error.message, keyAt(text, error.pos[0])),
      })),
    };
  }

  const forbidden = findForbiddenKeys(document, lineCounter, file);
  if (forbidden.length > 0) return { ok: false, problems: forbidden };

  // 3. Convert to plain data with aliases bounded.
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return fail(file, `YAML aliases expand too far (${detail}): use fewer than ${MAX_ALIAS_COUNT} alias references`);
  }
  if (data === null || data === undefined) {
    return fail(file, "file is empty: add the settings it should hold");
  }

  // 4. Validate, locating each issue at its node.
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) {
    return { ok: true, value: result.data, locate: (path) => position(lineCounter, nodeOffset(document, [...path])) };
  }
  return {
    ok: false,
    problems: result.error.issues.flatMap((issue) => locateIssue({ issue, document, lineCounter, file, schema })),
  };
}

function locateIssue(options: {
  issue: z.core.$ZodIssue;
  document: Document;
  lineCounter: LineCounter;
  file: string;
  schema: z.ZodType;
}): ConfigProblem[] {
  const { issue, document, lineCounter, file, schema } = options;
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));

  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(schema, path);
    return issue.keys.map((key) => {
      const suggestion = findNearestName(key, known);
      const hint = suggestion ? `did you mean "${suggestion}"?` : `known fields: ${known.join(", ")}`;
      return {
        file,
        ...position(lineCounter, keyOffset(document, path, key)),
        field: [...path, key].join("."),
        message: key === "" ? `empty or null key: write a field name before the ':' (known fields: ${known.join(", ")})` : `unknown field "${key}": ${hint}`,
      };
    });
  }

  return [
    {
      file,
      ...position(lineCounter, nodeOffset(document, path)),
      field: path.join("."),
      message: describeIssue(issue),
    },
  ];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // A record key that fails its schema arrives wrapped; its own message names the key and the fix.
  if (issue.code === "invalid_key") return issue.issues[0]?.message ?? issue.message;
  if (issue.code !== "invalid_type") return issue.message;
  if (issue.input === undefined) return `required field is missing: add it as a ${issue.expected}`;
  // zod reports a fractional number given to .int() as a wrong type; the schema's own message names the range.
  if (issue.expected === "int" && typeof issue.input === "number") return issue.message;
  const received = Array.isArray(issue.input) ? "list" : issue.input === null ? "null" : typeof issue.input;
  return `wrong type: expected ${issue.expected}, got ${received === "object" ? "mapping" : received}`;
}

function findForbiddenKeys(document: Document, lineCounter: LineCounter, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(document, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !FORBIDDEN_KEYS.has(String(pair.key.value))) return;
      problems.push({
        file,
        ...position(lineCounter, pair.key.range?.[0] ?? 0),
        field: "",
        message: `key "${String(pair.key.value)}" is not allowed, because it names JavaScript prototype machinery: remove it`,
      });
    },
  });
  return problems;
}

/** Offset of the deepest existing node on the path, so a missing field points at its parent. */
function nodeOffset(document: Document, path: (string | number)[]): number {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = document.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node && typeof node === "object" && "range" in node && node.range) return node.range[0];
  }
  return 0;
}

function keyOffset(document: Document, path: (string | number)[], key: string): number {
  const parent = path.length === 0 ? document.contents : document.getIn(path, true);
  if (isMap(parent)) {
    for (const item of parent.items) {
      // An empty or null key (`: x`, `~: x`) is a scalar whose value is null, and zod reports it as "".
      if (isPair(item) && isScalar(item.key) && String(item.key.value ?? "") === key && item.key.range) {
        return item.key.range[0];
      }
    }
  }
  return nodeOffset(document, path);
}

function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function describeYamlError(code: string, message: string, source: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return `duplicate key "${source.trim()}": each key may appear once in a mapping, so remove or rename one`;
    case "TAB_AS_INDENT":
      return "tab used for indentation: YAML indents with spaces only";
    case "MULTIPLE_DOCS":
      return "file holds more than one YAML document: keep a single document without '---' separators";
    default:
      return `invalid YAML: ${message.split("\n")[0]}`;
  }
}

/** Reads the mapping key that starts at `offset`, for messages about duplicate keys. */
function keyAt(text: string, offset: number): string {
  const match = /^\s*(["']?)([^:\n]*?)\1\s*:/.exec(text.slice(offset, offset + 200));
  return match?.[2] ?? text.slice(offset, offset + 1);
}

function fail(file: string, message: string): { ok: false; problems: ConfigProblem[] } {
  return { ok: false, problems: [{ file, line: 1, column: 1, field: "", message }] };
}
