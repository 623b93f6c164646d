import type { CheckAnnotation } from "./check-annotation.ts";

/**
 * Maximum size of `output.summary` or `output.text`, in UTF-8 bytes. The REST reference states
 * 65535 characters, but the API rejects longer text with "summary exceeds a maximum bytesize of 65535".
 */
export const MAX_CHECK_OUTPUT_BYTES = 65_535;
/** Maximum annotations in one create or update request (GitHub's Checks API limit). */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
/**
 * Maximum size of an annotation `message` or `raw_details`, in UTF-8 bytes. GitHub documents
 * "64 KB" without stating whether that is 64,000 or 65,536 bytes, so the smaller reading is used.
 */
export const MAX_ANNOTATION_TEXT_BYTES = 64_000;
/** Maximum length of an annotation `title`, in characters (code points), as GitHub documents it. */
export const MAX_ANNOTATION_TITLE_CHARACTERS = 255;

/** Note appended to cut text: a fixed string, or a function of how many bytes were cut. */
export type TruncationNote = string | ((cutBytes: number) => string);

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, note included, on a character boundary, so no
 * multi-byte character or surrogate pair is split. `keep: "start"` (the default) keeps the
 * beginning and appends the note; `keep: "end"` keeps the end and puts the note first. Text
 * that fits is returned unchanged. A note longer than `maxBytes` is itself cut and used alone.
 */
export function truncateUtf8(options: {
  text: string;
  maxBytes: number;
  note: TruncationNote;
  keep?: "start" | "end";
}): string {
  const { text, maxBytes, keep = "start" } = options;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;

  const note = options.note;
  const describeCut = typeof note === "string" ? () => note : note;

  // The note's size can depend on the number it reports, so settle both in rounds. The first
  // round assumes the smallest possible cut, and the budget shrinks every round, so the loop ends.
  let budget = maxBytes - Buffer.byteLength(describeCut(bytes.length - maxBytes), "utf8");
  while (budget >= 0) {
    const keptBytes = sliceOnBoundary(bytes, budget, keep);
    const noteText = describeCut(bytes.length - keptBytes.length);
    const noteBytes = Buffer.byteLength(noteText, "utf8");
    if (keptBytes.length + noteBytes <= maxBytes) {
      const keptText = keptBytes.toString("utf8");
      return keep === "start" ? keptText + noteText : noteText + keptText;
    }
    budget = Math.min(budget - 1, maxBytes - noteBytes);
  }

  // The note alone does not fit, so it is cut in turn and shown without any of the text.
  return sliceOnBoundary(Buffer.from(describeCut(bytes.length), "utf8"), maxBytes, "start").toString("utf8");
}

/** Cuts text to at most `maxCharacters` code points, never splitting a surrogate pair. */
export function truncateCharacters(text: string, maxCharacters: number, ellipsis = "…"): string {
  const characters = Array.from(text);
  if (characters.length <= maxCharacters) return text;

  const ellipsisCharacters = Array.from(ellipsis);
  if (ellipsisCharacters.length > maxCharacters) return characters.slice(0, maxCharacters).join("");
  return characters.slice(0, maxCharacters - ellipsisCharacters.length).join("") + ellipsis;
}

/** Splits annotations into lists of at most MAX_ANNOTATIONS_PER_REQUEST, in order. */
export function chunkAnnotations<T>(list: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < list.length; start += MAX_ANNOTATIONS_PER_REQUEST) {
    chunks.push(list.slice(start, start + MAX_ANNOTATIONS_PER_REQUEST));
  }
  return chunks;
}

/** Applies GitHub's per-annotation size limits to the title, message and raw details. */
export function limitAnnotation(annotation: CheckAnnotation): CheckAnnotation {
  const limited: CheckAnnotation = {
    ...annotation,
    message: truncateUtf8({ text: annotation.message, maxBytes: MAX_ANNOTATION_TEXT_BYTES, note: describeCutBytes }),
  };
  if (annotation.title !== undefined) {
    limited.title = truncateCharacters(annotation.title, MAX_ANNOTATION_TITLE_CHARACTERS);
  }
  if (annotation.raw_details !== undefined) {
    limited.raw_details = truncateUtf8({
      text: annotation.raw_details,
      maxBytes: MAX_ANNOTATION_TEXT_BYTES,
      note: describeCutBytes,
    });
  }
  return limited;
}

/** Formats the default truncation note, such as "\n… 12,345 bytes cut". */
export function describeCutBytes(cutBytes: number): string {
  return `\n… ${cutBytes.toLocaleString("en-US")} bytes cut`;
}

function sliceOnBoundary(bytes: Buffer, maxBytes: number, keep: "start" | "end"): Buffer {
  if (maxBytes <= 0) return bytes.subarray(0, 0);
  if (keep === "start") {
    let end = Math.min(maxBytes, bytes.length);
    // Back up over continuation bytes (10xxxxxx) so the cut falls before a character's first byte.
    while (end > 0 && end < bytes.length && isContinuationByte(bytes[end]!)) end -= 1;
    return bytes.subarray(0, end);
  }
  let start = Math.max(0, bytes.length - maxBytes);
  while (start < bytes.length && isContinuationByte(bytes[start]!)) start += 1;
  return bytes.subarray(start);
}

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
