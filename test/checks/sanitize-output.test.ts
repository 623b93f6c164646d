import { describe, expect, it } from "vitest";
import { chooseCodeFence, formatCodeBlock, neutralizeWorkflowCommands, sanitizeOutput } from "../../src/checks/sanitize-output.ts";

const ZWSP = "\u200b";

describe("sanitizeOutput escape sequences", () => {
  it.each([
    ["colours", "\u001b[31mred\u001b[0m plain", "red plain"],
    ["cursor moves", "a\u001b[2K\u001b[1Gb", "ab"],
    ["private modes", "\u001b[?25lhidden cursor\u001b[?25h", "hidden cursor"],
    ["OSC 8 links ended by ST", "\u001b]8;;https://example.test\u001b\\link\u001b]8;;\u001b\\", "link"],
    ["OSC titles ended by BEL", "\u001b]0;title\u0007text", "text"],
    ["charset selection", "\u001b(Btext", "text"],
    ["DCS strings", "\u001bPq#0;2;0;0;0\u001b\\after", "after"],
    ["8-bit CSI", "\u009b31mred", "red"],
  ])("strips %s", (_name, input, expected) => {
    expect(sanitizeOutput(input)).toBe(expected);
  });

  it("ends an unterminated OSC at the line end", () => {
    expect(sanitizeOutput("\u001b]0;title\nnext line")).toBe("\nnext line");
  });
});

describe("sanitizeOutput control characters", () => {
  it("keeps newline and tab", () => {
    expect(sanitizeOutput("a\tb\nc")).toBe("a\tb\nc");
  });

  it("strips other C0 and C1 controls", () => {
    expect(sanitizeOutput("a\u0000b\u0007c\u0008d\u000be\u000cf\u007fg\u0085h")).toBe("abcdefgh");
  });

  it("strips bidirectional overrides", () => {
    expect(sanitizeOutput("x\u202ey\u2066z\u2069")).toBe("xyz");
  });

  it("keeps the last carriage-return segment", () => {
    expect(sanitizeOutput("progress 10%\rprogress 50%\rdone\nnext")).toBe("done\nnext");
  });

  it("treats CRLF as a newline", () => {
    expect(sanitizeOutput("one\r\ntwo\r\n")).toBe("one\ntwo\n");
  });

  it("replaces lone surrogates", () => {
    expect(sanitizeOutput("a\ud800b\udc00c😀")).toBe("a\uFFFDb\uFFFDc😀");
  });
});

describe("neutralizeWorkflowCommands", () => {
  it.each([
    ["::set-output name=x::1", `:${ZWSP}:set-output name=x::1`],
    ["::add-mask::secret", `:${ZWSP}:add-mask::secret`],
    ["  ::error file=a.js::boom", `  :${ZWSP}:error file=a.js::boom`],
    ["\t::stop-commands::token", `\t:${ZWSP}:stop-commands::token`],
    ["log ##[set-output name=x;]1", `log #${ZWSP}#[set-output name=x;]1`],
  ])("breaks %s", (input, expected) => {
    expect(neutralizeWorkflowCommands(input)).toBe(expected);
  });

  it("breaks commands on every line", () => {
    expect(neutralizeWorkflowCommands("ok\n::warning::a\n::notice::b")).toBe(`ok\n:${ZWSP}:warning::a\n:${ZWSP}:notice::b`);
  });

  it("leaves ordinary colons alone", () => {
    expect(neutralizeWorkflowCommands("a::b\nhttp://x\nstd::vector")).toBe("a::b\nhttp://x\nstd::vector");
  });

  it("is applied by sanitizeOutput after escapes are stripped", () => {
    expect(sanitizeOutput("\u001b[32m::set-env name=A::b")).toBe(`:${ZWSP}:set-env name=A::b`);
  });
});

describe("chooseCodeFence", () => {
  it.each([
    ["no backticks", "plain", "```"],
    ["short runs", "`a` and ``b``", "```"],
    ["a triple run", "```js\ncode\n```", "````"],
    ["a long run", "x".concat("`".repeat(7)), "````````"],
  ])("returns a fence for %s", (_name, text, expected) => {
    expect(chooseCodeFence(text)).toBe(expected);
  });
});

describe("formatCodeBlock", () => {
  it("wraps text that contains a fence", () => {
    expect(formatCodeBlock("```\nnot closed\n")).toBe("````\n```\nnot closed\n````");
  });
});
