/** Attribute group key in fast-xml-parser's output; no XML name can be `@`, so nothing collides. */
export const ATTRIBUTES_KEY = "@";
/** Text key in fast-xml-parser's output. */
export const TEXT_KEY = "#text";

/** An element from fast-xml-parser's object output, read into a uniform shape. */
export interface JUnitXmlElement {
  attributes: Readonly<Record<string, string>>;
  text: string;
  children: Readonly<Record<string, unknown>>;
}

/**
 * Reads one element of the parser's output, which is a bare string for an element that has
 * only text and an object otherwise.
 */
export function readElement(value: unknown): JUnitXmlElement {
  if (typeof value === "string") return { attributes: {}, text: value, children: {} };
  if (typeof value !== "object" || value === null) return { attributes: {}, text: "", children: {} };

  const record = value as Record<string, unknown>;
  const rawAttributes = record[ATTRIBUTES_KEY];
  const attributes: Record<string, string> = Object.create(null);
  if (typeof rawAttributes === "object" && rawAttributes !== null) {
    for (const [name, attributeValue] of Object.entries(rawAttributes)) {
      if (typeof attributeValue === "string") attributes[name] = attributeValue;
    }
  }
  const text = typeof record[TEXT_KEY] === "string" ? record[TEXT_KEY] : "";
  return { attributes, text, children: record };
}

/** Returns the child elements named `name`, whether the parser gave one or a list. */
export function childElements(element: JUnitXmlElement, name: string): JUnitXmlElement[] {
  if (!Object.hasOwn(element.children, name)) return [];
  const value = element.children[name];
  return (Array.isArray(value) ? value : [value]).map(readElement);
}
