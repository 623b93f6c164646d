import { createHash } from "node:crypto";
import { PaddockError } from "../errors.ts";

/**
 * Serializes JSON data the RFC 8785 (JCS) way: object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers as ECMAScript's JSON.stringify writes them. Properties whose
 * value is `undefined` are left out, as JSON.stringify does. Rejects what I-JSON forbids:
 * non-finite numbers, lone surrogates, and values that are not JSON (BigInt, functions).
 */
export function canonicalizeJson(value: unknown): string {
  return serialize(value, "$");
}

/** Returns the lowercase hex SHA-256 of a value's RFC 8785 canonical JSON. */
export function hashCanonicalJson(value: unknown): string {
  return createHash("sha256").update(canonicalizeJson(value), "utf8").digest("hex");
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serialize(value: unknown, path: string): string {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalid(path, `the number ${value} is not finite`);
    return JSON.stringify(value);
  }
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) throw invalid(path, "the string contains a lone surrogate");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => serialize(item ?? null, `${path}[${index}]`)).join(",")}]`;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) !== null && Object.getPrototypeOf(value) !== Object.prototype) {
    throw invalid(path, `a ${value.constructor.name} is not plain JSON data`);
  }
  if (typeof value === "object") {
    // Array.prototype.sort without a comparator orders by UTF-16 code units, as RFC 8785 requires.
    const keys = Object.keys(value).sort();
    const members: string[] = [];
    for (const key of keys) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      members.push(`${serialize(key, path)}:${serialize(member, `${path}.${key}`)}`);
    }
    return `{${members.join(",")}}`;
  }
  throw invalid(path, `a ${typeof value} is not JSON data`);
}

function invalid(path: string, problem: string): PaddockError {
  return new PaddockError("AUDIT_RECORD_INVALID", `cannot write canonical JSON at ${path}: ${problem}`, {
    hint: "pass plain JSON data: strings, finite numbers, booleans, null, arrays and plain objects",
  });
}
