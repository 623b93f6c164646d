/** Agent names a trailer may mention, matched case-insensitively as whole words. */
const AGENT_WORDS = ["copilot", "codex", "claude", "devin", "cursor", "jules", "amazon q", "gemini", "aider", "openhands"];

const TRAILER_PATTERN = /^(co-authored-by|generated-by|assisted-by):\s*(.+)$/gim;

/**
 * Reads commit-message trailers that suggest an AI agent wrote the commit, such as
 * `Co-authored-by: Claude <noreply@anthropic.com>`. Anyone can type a trailer, so these are
 * hints to record, never evidence to classify by.
 */
export function readAgentTrailers(message: string): string[] {
  const hints: string[] = [];
  for (const match of message.matchAll(TRAILER_PATTERN)) {
    const value = match[2]!.trim();
    const lower = value.toLowerCase();
    if (AGENT_WORDS.some((word) => new RegExp(`\\b${word}\\b`).test(lower))) hints.push(`commit trailer "${match[1]}: ${value}"`);
  }
  return hints;
}
