import { sanitizeOutput } from "./sanitize-output.ts";

// CommonMark lets a backslash escape any ASCII punctuation. These are the characters that can
// start code, emphasis, links, HTML, table cells, strikethrough or mentions in the middle of a
// line. Characters that matter only at a line start (`#`, `-`, `1.`) are left alone, because
// callers always put this text after a prefix such as `- ` or `| `.
const MARKDOWN_SPECIAL = /[\\`*_[\]<|~@]/g;

/**
 * Escapes untrusted text for the middle of one Markdown line, such as a table cell or a list
 * item: the text is sanitized, line breaks become spaces, and inline syntax is backslash-escaped.
 */
export function escapeMarkdownLine(text: string): string {
  return sanitizeOutput(text).replace(/\s*\n\s*/g, " ").trim().replace(MARKDOWN_SPECIAL, "\\$&");
}

/** Formats untrusted text as an inline code span that its own backticks cannot end. */
export function formatInlineCode(text: string): string {
  const line = sanitizeOutput(text).replace(/\s*\n\s*/g, " ").trim();
  let longest = 0;
  for (const run of line.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);

  const fence = "`".repeat(longest + 1);
  // CommonMark strips one space on each side, which lets a span start or end with a backtick.
  const padding = line.startsWith("`") || line.endsWith("`") ? " " : "";
  return `${fence}${padding}${line}${padding}${fence}`;
}
