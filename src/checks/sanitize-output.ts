/** Shortest Markdown code fence, per CommonMark. */
export const MIN_CODE_FENCE_LENGTH = 3;

// ESC-introduced sequences (ECMA-48): CSI `ESC [ … final`, OSC `ESC ] … BEL or ST`, the string
// commands DCS, SOS, PM and APC ending in ST, and two- or three-byte sequences such as `ESC ( B`.
// An unterminated string command ends at the end of its line, so it cannot swallow later lines.
const ESCAPE_SEQUENCE = new RegExp(
  [
    String.raw`\u001b\[[0-?]*[ -/]*[@-~]`,
    String.raw`\u001b\][^\u0007\u001b\n]*(?:\u0007|\u001b\\)?`,
    String.raw`\u001b[PX^_][^\u001b\n]*(?:\u001b\\)?`,
    String.raw`\u001b[ -/]*[0-~]`,
    String.raw`\u009b[0-?]*[ -/]*[@-~]`,
    String.raw`\u009d[^\u0007\u009c\n]*[\u0007\u009c]?`,
  ].join("|"),
  "g",
);
// C0 and C1 controls except tab and newline, and the bidirectional overrides and isolates that
// can make displayed text read differently from its bytes.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// The Actions runner reads `::command::` after trimming leading whitespace, and the older
// `##[command]` anywhere in a line (actions/runner, src/Runner.Common/ActionCommand.cs).
const WORKFLOW_COMMAND_V2 = /^([^\S\n]*)::/gm;
const WORKFLOW_COMMAND_V1 = /##\[/g;
const ZERO_WIDTH_SPACE = "\u200b";

/**
 * Makes step output safe to show in a check run or a job log. It removes terminal escape
 * sequences and control characters other than newline and tab, keeps only what a terminal
 * shows after a carriage return, and replaces lone surrogates. It also breaks lines that the
 * Actions runner would read as workflow commands by inserting a zero-width space.
 */
export function sanitizeOutput(text: string): string {
  const withoutEscapes = text.replace(LONE_SURROGATE, "\uFFFD").replace(ESCAPE_SEQUENCE, "");
  const lines = withoutEscapes.split("\n").map(lastCarriageReturnSegment);
  const plain = lines.join("\n").replace(CONTROL_CHARACTER, "");
  return neutralizeWorkflowCommands(plain);
}

/** Breaks `::command::` lines and `##[command]` markers so the Actions runner ignores them. */
export function neutralizeWorkflowCommands(text: string): string {
  return text
    .replace(WORKFLOW_COMMAND_V2, `$1:${ZERO_WIDTH_SPACE}:`)
    .replace(WORKFLOW_COMMAND_V1, `#${ZERO_WIDTH_SPACE}#[`);
}

/** Returns a backtick fence longer than any run of backticks in `text`, so the text cannot close it. */
export function chooseCodeFence(text: string): string {
  let longest = 0;
  for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  return "`".repeat(Math.max(MIN_CODE_FENCE_LENGTH, longest + 1));
}

/**
 * Wraps already sanitized text in a fenced Markdown code block that it cannot break out of.
 * `language` (letters, digits, `+`, `-` and `_` are kept) tags the block for highlighting.
 */
export function formatCodeBlock(text: string, options: { language?: string } = {}): string {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const fence = chooseCodeFence(body);
  const language = (options.language ?? "").replace(/[^A-Za-z0-9_+-]/g, "");
  return `${fence}${language}\n${body}\n${fence}`;
}

// A terminal overwrites a line at each carriage return, so only the last segment stays visible.
function lastCarriageReturnSegment(line: string): string {
  const trimmed = line.replace(/\r+$/, "");
  const lastReturn = trimmed.lastIndexOf("\r");
  return lastReturn === -1 ? trimmed : trimmed.slice(lastReturn + 1);
}
