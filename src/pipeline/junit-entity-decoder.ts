import type { EntityDecoderOptions } from "fast-xml-parser";

const BUILT_IN_ENTITIES: ReadonlyMap<string, string> = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["quot", '"'],
  ["apos", "'"],
]);

const MAX_CODE_POINT = 0x10ffff;

// One pass over the text, so a decoded `&amp;lt;` stays `&lt;` instead of turning into `<`.
const REFERENCE = /&(?:#x([0-9a-fA-F]{1,8})|#([0-9]{1,10})|([A-Za-z][A-Za-z0-9._-]*));/g;

/**
 * Creates an entity decoder for fast-xml-parser that expands only the five XML built-in
 * entities and numeric character references. Entities declared in a DOCTYPE are ignored, so
 * `&name;` stays as written and an entity-expansion bomb expands to nothing.
 */
export function createBuiltInEntityDecoder(): EntityDecoderOptions {
  return {
    setExternalEntities: () => undefined,
    addInputEntities: () => undefined,
    reset: () => undefined,
    setXmlVersion: () => undefined,
    decode: decodeBuiltInEntities,
  };
}

/** Replaces built-in entity and character references; unknown or invalid ones stay as written. */
export function decodeBuiltInEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(REFERENCE, (reference, hex?: string, decimal?: string, name?: string) => {
    if (name !== undefined) return BUILT_IN_ENTITIES.get(name) ?? reference;

    const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
    return isAllowedCodePoint(codePoint) ? String.fromCodePoint(codePoint) : reference;
  });
}

// Character references may not name NUL, a lone surrogate or a value past Unicode's range.
function isAllowedCodePoint(codePoint: number): boolean {
  if (!Number.isInteger(codePoint) || codePoint < 1 || codePoint > MAX_CODE_POINT) return false;
  return codePoint < 0xd800 || codePoint > 0xdfff;
}
