import { sanitizeOutput } from "./sanitize-output.ts";

// CommonMark lets a backslash escape any ASCII punctuation. These are the characters that can
// start emphasis, links, images, HTML, headings, lists, tables or mentions inside a line.
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()<>#+\-.!|~@]/g;

/**
 * Escapes untrusted text for one line of Markdown, such as a table cell or a list item: the
 * text is sanitized, line breaks become spaces, and Markdown syntax is backslash-escaped.
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
