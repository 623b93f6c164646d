import { describe, expect, it } from "vitest";
import type { CheckAnnotation } from "../../src/checks/check-annotation.ts";
import {
  chunkAnnotations,
  describeCutBytes,
  limitAnnotation,
  MAX_ANNOTATION_TEXT_BYTES,
  MAX_ANNOTATION_TITLE_CHARACTERS,
  MAX_ANNOTATIONS_PER_REQUEST,
  MAX_CHECK_OUTPUT_BYTES,
  truncateCharacters,
  truncateUtf8,
} from "../../src/checks/output-limits.ts";

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

describe("truncateUtf8", () => {
  it("keeps text of exactly the limit", () => {
    const text = `${"a".repeat(MAX_CHECK_OUTPUT_BYTES - 2)}é`;

    expect(byteLength(text)).toBe(65_535);
    expect(truncateUtf8({ text, maxBytes: MAX_CHECK_OUTPUT_BYTES, note: "[cut]" })).toBe(text);
  });

  it("drops a two-byte character split by the limit", () => {
    const text = `${"a".repeat(MAX_CHECK_OUTPUT_BYTES - 1)}é`;

    const result = truncateUtf8({ text, maxBytes: MAX_CHECK_OUTPUT_BYTES, note: "" });

    expect(byteLength(text)).toBe(65_536);
    expect(result).toBe("a".repeat(65_534));
  });

  it("drops a surrogate pair split by the limit", () => {
    const text = `${"a".repeat(MAX_CHECK_OUTPUT_BYTES - 2)}😀`;

    const result = truncateUtf8({ text, maxBytes: MAX_CHECK_OUTPUT_BYTES, note: "" });

    expect(result).toBe("a".repeat(65_533));
    expect(result.includes("\uFFFD")).toBe(false);
  });

  it("counts the note inside the limit", () => {
    const text = `${"€".repeat(30_000)}`;

    const result = truncateUtf8({ text, maxBytes: MAX_CHECK_OUTPUT_BYTES, note: describeCutBytes });

    expect(byteLength(result)).toBe(65_535);
    expect(result).toBe(`${"€".repeat(21_838)}\n… 24,486 bytes cut`);
  });

  it("reports the cut bytes exactly", () => {
    const result = truncateUtf8({ text: "0123456789", maxBytes: 8, note: (cut) => `+${cut}` });

    expect(result).toBe("012345+4");
  });

  it("keeps the end when asked", () => {
    const result = truncateUtf8({ text: "line 1\nline 2\nline 3\n", maxBytes: 13, note: "[...]\n", keep: "end" });

    expect(result).toBe("[...]\nline 3\n");
  });

  it("keeps the end on a character boundary", () => {
    const result = truncateUtf8({ text: "aé😀b", maxBytes: 6, note: "", keep: "end" });

    expect(result).toBe("😀b");
  });

  it("cuts a note longer than the limit", () => {
    const result = truncateUtf8({ text: "x".repeat(20), maxBytes: 5, note: "a long note" });

    expect(result).toBe("a lon");
  });

  it("settles a note whose length depends on the cut", () => {
    const note = (cut: number) => `(${cut} cut)`;
    const result = truncateUtf8({ text: "x".repeat(1_005), maxBytes: 1_000, note });

    expect(result).toBe(`${"x".repeat(992)}(13 cut)`);
  });

  it("shows only the note when no text fits beside it", () => {
    const note = (cut: number) => `[${"#".repeat(cut)}]`;
    const result = truncateUtf8({ text: "abcdefghij", maxBytes: 8, note });

    expect(result).toBe("[#######");
  });
});

describe("truncateCharacters", () => {
  it("keeps a title of exactly the limit", () => {
    const title = "😀".repeat(MAX_ANNOTATION_TITLE_CHARACTERS);

    expect(truncateCharacters(title, MAX_ANNOTATION_TITLE_CHARACTERS)).toBe(title);
  });

  it("cuts a title one character over", () => {
    const title = "😀".repeat(MAX_ANNOTATION_TITLE_CHARACTERS + 1);

    const result = truncateCharacters(title, MAX_ANNOTATION_TITLE_CHARACTERS);

    expect(Array.from(result).length).toBe(255);
    expect(result).toBe(`${"😀".repeat(254)}…`);
  });

  it("uses no ellipsis when it cannot fit", () => {
    expect(truncateCharacters("abcdef", 2, "...")).toBe("ab");
  });
});

describe("chunkAnnotations", () => {
  const annotations = (count: number) => Array.from({ length: count }, (_, index) => index);

  it("returns no chunks for no annotations", () => {
    expect(chunkAnnotations([])).toEqual([]);
  });

  it("keeps 50 annotations in one chunk", () => {
    expect(chunkAnnotations(annotations(MAX_ANNOTATIONS_PER_REQUEST)).map((chunk) => chunk.length)).toEqual([50]);
  });

  it("splits 51 annotations into two chunks", () => {
    const chunks = chunkAnnotations(annotations(51));

    expect(chunks.map((chunk) => chunk.length)).toEqual([50, 1]);
    expect(chunks[1]).toEqual([50]);
  });

  it("splits 120 annotations into three chunks", () => {
    const chunks = chunkAnnotations(annotations(120));

    expect(chunks.map((chunk) => chunk.length)).toEqual([50, 50, 20]);
    expect(chunks.flat()).toEqual(annotations(120));
  });
});

describe("limitAnnotation", () => {
  const base: CheckAnnotation = { path: "a.js", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" };

  it("leaves small annotations unchanged", () => {
    const annotation = { ...base, title: "t", raw_details: "d" };

    expect(limitAnnotation(annotation)).toEqual(annotation);
  });

  it("keeps message and details of exactly the limit", () => {
    const text = "a".repeat(MAX_ANNOTATION_TEXT_BYTES);
    const limited = limitAnnotation({ ...base, message: text, raw_details: text });

    expect(limited.message).toBe(text);
    expect(limited.raw_details).toBe(text);
  });

  it("cuts message, details and title over the limits", () => {
    const text = "a".repeat(MAX_ANNOTATION_TEXT_BYTES + 1);
    const limited = limitAnnotation({ ...base, message: text, raw_details: text, title: "t".repeat(300) });

    expect(byteLength(limited.message)).toBe(64_000);
    expect(limited.message).toBe(`${"a".repeat(63_983)}\n… 18 bytes cut`);
    expect(limited.raw_details).toBe(limited.message);
    expect(limited.title).toBe(`${"t".repeat(254)}…`);
  });
});
