import { describe, expect, it } from "vitest";
import { createBuiltInEntityDecoder, decodeBuiltInEntities } from "../../src/pipeline/junit-entity-decoder.ts";

describe("decodeBuiltInEntities", () => {
  it.each([
    ["&lt;&gt;&amp;&quot;&apos;", `<>&"'`],
    ["&#65;&#x42;&#x1F600;", "AB😀"],
    ["&amp;lt;", "&lt;"],
    ["&nbsp; &e; &constructor; &__proto__;", "&nbsp; &e; &constructor; &__proto__;"],
    ["&#0; &#xD800; &#x110000; &#99999999999;", "&#0; &#xD800; &#x110000; &#99999999999;"],
    ["a & b", "a & b"],
    ["plain", "plain"],
  ])("decodes %s", (input, expected) => {
    expect(decodeBuiltInEntities(input)).toBe(expected);
  });
});

describe("createBuiltInEntityDecoder", () => {
  it("ignores entities declared in a DOCTYPE", () => {
    const decoder = createBuiltInEntityDecoder();
    decoder.addInputEntities({ e: "EXPANDED" });

    expect(decoder.decode("&e; &amp;")).toBe("&e; &");
  });
});
