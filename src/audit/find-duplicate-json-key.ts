/** A member name that appears twice in one JSON object. */
export interface DuplicateJsonKey {
  key: string;
  /** Member names and array indexes (`[1]`) leading to the object that repeats `key`, empty at the top level. */
  parents: string[];
}

interface ObjectFrame {
  kind: "object";
  keys: Set<string>;
  lastKey: string;
  expectKey: boolean;
  parents: string[];
}

interface ArrayFrame {
  kind: "array";
  index: number;
  parents: string[];
}

/**
 * Finds the first member name that appears twice in the same object, at any depth, in text
 * that JSON.parse accepts. JSON.parse keeps the last of duplicate members and other readers may
 * keep the first, so the same text can mean two different values. I-JSON (RFC 7493), which RFC 8785 builds on,
 * forbids duplicate names. Names compare after unescaping, so "a" and "\u0061" are the same name.
 * Returns null when every object's names are distinct. The result is undefined for invalid JSON.
 */
export function findDuplicateJsonKey(text: string): DuplicateJsonKey | null {
  const stack: Array<ObjectFrame | ArrayFrame> = [];
  let position = 0;

  while (position < text.length) {
    const char = text[position]!;
    const top = stack[stack.length - 1];

    if (char === "{" || char === "[") {
      const parents = top === undefined ? [] : [...top.parents, top.kind === "object" ? top.lastKey : `[${top.index}]`];
      stack.push(char === "{" ? { kind: "object", keys: new Set(), lastKey: "", expectKey: true, parents } : { kind: "array", index: 0, parents });
      position += 1;
    } else if (char === "}" || char === "]") {
      stack.pop();
      position += 1;
    } else if (char === ",") {
      if (top?.kind === "object") top.expectKey = true;
      if (top?.kind === "array") top.index += 1;
      position += 1;
    } else if (char === ":") {
      if (top?.kind === "object") top.expectKey = false;
      position += 1;
    } else if (char === '"') {
      const end = findStringEnd(text, position);
      if (top?.kind === "object" && top.expectKey) {
        const key = JSON.parse(text.slice(position, end)) as string;
        if (top.keys.has(key)) return { key, parents: top.parents };
        top.keys.add(key);
        top.lastKey = key;
      }
      position = end;
    } else {
      // Whitespace, numbers, true, false and null carry no member names.
      position += 1;
    }
  }
  return null;
}

/** Describes a duplicate key for a verification message: `duplicate key "login" in actor`. */
export function describeDuplicateJsonKey(duplicate: DuplicateJsonKey): string {
  const inside = duplicate.parents.length === 0 ? "" : ` in ${duplicate.parents.join(".").replaceAll(".[", "[")}`;
  return `duplicate key "${duplicate.key}"${inside}`;
}

/** Returns the index just past the closing quote of the string that starts at `start`. */
function findStringEnd(text: string, start: number): number {
  let position = start + 1;
  while (position < text.length && text[position] !== '"') {
    position += text[position] === "\\" ? 2 : 1;
  }
  return position + 1;
}
