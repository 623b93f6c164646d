import { describe, expect, it } from "vitest";

import { describeUnsafeText, findUnsafeCharacter } from "../../src/config/process-safe-text.ts";

describe("findUnsafeCharacter", () => {
  it("accepts text a shell command may hold", () => {
    expect(findUnsafeCharacter("printf '\\e[31m%s\\n' \"$A\"\n\techo 😀\r", { controls: false })).toBeUndefined();
  });

  it("finds a NUL after an emoji by code point", () => {
    expect(findUnsafeCharacter("😀a\0", { controls: false })).toMatchObject({ description: "a NUL character", position: 3 });
  });

  it.each([
    ["\ud83d", "an unpaired surrogate U+D83D", 1],
    ["a\udc00", "an unpaired surrogate U+DC00", 2],
    ["\udc00\ud83d", "an unpaired surrogate U+DC00", 1],
    ["ab\ud83d", "an unpaired surrogate U+D83D", 3],
  ])("finds an unpaired surrogate in %j", (value, description, position) => {
    expect(findUnsafeCharacter(value, { controls: false })).toMatchObject({ description, position });
  });

  it.each([
    ["a\tb", "the control character U+0009", 2],
    ["a\x1b", "the control character U+001B", 2],
    ["\x7f", "the control character U+007F", 1],
  ])("finds the control character in %j when asked", (value, description, position) => {
    expect(findUnsafeCharacter(value, { controls: false })).toBeUndefined();
    expect(findUnsafeCharacter(value, { controls: true })).toMatchObject({ description, position });
  });
});

describe("describeUnsafeText", () => {
  it("names the field, the character and the fix", () => {
    expect(describeUnsafeText({ field: "step command", value: "a\0", controls: false })).toBe(
      "step command contains a NUL character at character 2: remove it, because the operating system ends a command argument or environment value at the first NUL",
    );
  });

  it("returns undefined for safe text", () => {
    expect(describeUnsafeText({ field: "step image", value: "node:24", controls: true })).toBeUndefined();
  });
});
