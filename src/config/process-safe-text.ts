/** A character that a config value may not contain, with its 1-based position in code points. */
export interface UnsafeCharacter {
  /** Such as `a NUL character` or `the control character U+001B`. */
  description: string;
  position: number;
  /** The reason for the rejection and the text to write instead. */
  fix: string;
}

const NUL_FIX = "remove it, because the operating system ends a command argument or environment value at the first NUL";
const SURROGATE_FIX = "write the whole character, because half of a UTF-16 surrogate pair has no UTF-8 encoding and the process would receive U+FFFD instead";
const CONTROL_FIX = "use printable characters only";

/**
 * Finds the first character of `value` that cannot reach a process unchanged: NUL, which ends a
 * C string, and an unpaired UTF-16 surrogate, which Node encodes as U+FFFD. With `controls`, the
 * other C0 control characters and DEL are rejected too, for values such as paths and image names
 * that never need them.
 */
export function findUnsafeCharacter(value: string, options: { controls: boolean }): UnsafeCharacter | undefined {
  let position = 0;
  for (let index = 0; index < value.length; index += 1) {
    position += 1;
    const code = value.charCodeAt(index);

    if (code === 0) return { description: "a NUL character", position, fix: NUL_FIX };
    if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(value.charCodeAt(index + 1))) {
      index += 1;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) return { description: `an unpaired surrogate ${formatCodeUnit(code)}`, position, fix: SURROGATE_FIX };
    if (options.controls && (code < 0x20 || code === 0x7f)) return { description: `the control character ${formatCodeUnit(code)}`, position, fix: CONTROL_FIX };
  }
  return undefined;
}

/** Returns the problem message for `value` in `field` (such as `step command`), or undefined when it is safe. */
export function describeUnsafeText(options: { field: string; value: string; controls: boolean }): string | undefined {
  const unsafe = findUnsafeCharacter(options.value, { controls: options.controls });
  if (unsafe === undefined) return undefined;
  return `${options.field} contains ${unsafe.description} at character ${unsafe.position}: ${unsafe.fix}`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function formatCodeUnit(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}
