/**
 * Hostile inputs shared by the suites under test/hostile. Strings that would run a command if a
 * shell ever saw them write a file named `pwned-<n>`, relative (inside a sandbox, the checkout) and
 * under `hostDirectory` (on the host), so a test finds the file if one ran.
 */
export function hostileBranchNames(hostDirectory: string): string[] {
  return [
    `feature;touch pwned-1;touch ${hostDirectory}/pwned-1`,
    `$(touch pwned-2)$(touch ${hostDirectory}/pwned-2)`,
    `\`touch pwned-3\`\`touch ${hostDirectory}/pwned-3\``,
    `fix\ntouch pwned-4\ntouch ${hostDirectory}/pwned-4`,
    `a && touch pwned-5 && touch ${hostDirectory}/pwned-5`,
    `x|touch ${hostDirectory}/pwned-6`,
    `'"; touch ${hostDirectory}/pwned-7; echo "'`,
    `$IFS$9touch$IFS${hostDirectory}/pwned-8`,
    "../../../../etc/passwd",
    "..",
    "refs/heads/../../outside",
    "-rf",
    "--upload-pack=touch pwned-9",
    "ｍain",
    "mаin",
    "main\u202egnp.exe",
    "branch\u0000with-nul",
    "\u200b",
    "🔥/🔥",
    "",
    " ",
    `feature/${"x".repeat(5_000)}`,
  ];
}

/** Branch names that look like `main` to a reader but are different strings. */
export const LOOK_ALIKES: ReadonlyArray<[label: string, branch: string]> = [
  ["fullwidth m", "ｍain"],
  ["Cyrillic a", "mаin"],
  ["trailing zero-width space", "main\u200b"],
  ["combining accent", "mai\u0301n"],
  ["upper case", "MAIN"],
];

/** Keys that name JavaScript prototype machinery. */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;

/** Returns JSON text nested `depth` levels deep: `{"a":{"a":...1...}}`. */
export function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Terminal escape sequences and fake workflow commands, one per line, as a step might print them. */
export const HOSTILE_OUTPUT_LINES = [
  "\u001b[31mred text\u001b[0m",
  "\u001b]8;;https://attacker.invalid/\u0007click me\u001b]8;;\u0007",
  "\u001b]0;new window title\u0007",
  "\u001b[2J\u001b[Hscreen cleared",
  "::set-output name=token::stolen",
  "::add-mask::nothing",
  "  ::error file=app.js,line=1::fake error",
  "::stop-commands::resume-token",
  "##[error]old-style command",
  "echo ::warning::in the middle",
  "progress 10%\rprogress 100%",
  "bidi \u202eevil\u202c text",
];
