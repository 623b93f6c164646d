import { describe, expect, it } from "vitest";
import { escapeMarkdownLine, formatInlineCode } from "../../src/checks/markdown-text.ts";

describe("escapeMarkdownLine", () => {
  it("escapes Markdown syntax", () => {
    expect(escapeMarkdownLine("*a* _b_ [c](d) <img> | @team ~x~ `c` \\")).toBe(
      "\\*a\\* \\_b\\_ \\[c\\](d) \\<img> \\| \\@team \\~x\\~ \\`c\\` \\\\",
    );
  });

  it("leaves paths and sentences readable", () => {
    expect(escapeMarkdownLine("Config from .github/paddock.yml, step #2 - done.")).toBe("Config from .github/paddock.yml, step #2 - done.");
  });

  it("joins lines with spaces", () => {
    expect(escapeMarkdownLine("  first\n\n  second  ")).toBe("first second");
  });

  it("sanitizes before escaping", () => {
    expect(escapeMarkdownLine("\u001b[31mred\u001b[0m")).toBe("red");
  });
});

describe("formatInlineCode", () => {
  it("wraps plain text in single backticks", () => {
    expect(formatInlineCode("src/a.ts:3")).toBe("`src/a.ts:3`");
  });

  it("uses a longer fence than the text's backticks", () => {
    expect(formatInlineCode("a `b` c")).toBe("``a `b` c``");
  });

  it("pads text that starts with a backtick", () => {
    expect(formatInlineCode("`x")).toBe("`` `x ``");
  });
});
