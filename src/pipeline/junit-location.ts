/** Checkout prefixes stripped from absolute paths when the caller gives none: the sandbox mount of the head commit. */
export const DEFAULT_CHECKOUT_PREFIXES: readonly string[] = ["/workspace/"];
/** Maximum line number kept. Larger values are clamped, because no source file is that long. */
export const MAX_LINE_NUMBER = 1_000_000;
/** Maximum length of a path token read from a stack trace, matching Linux's PATH_MAX of 4096 bytes. */
export const MAX_PATH_LENGTH = 4_096;

/** Location of a failed test in the repository. `file` is empty when the report names no repository file. */
export interface FailureLocation {
  file: string;
  line: number;
}

const PYTHON_FRAME = /File "([^"]{1,4096})", line (\d{1,12})/;
const TOKEN_SEPARATORS = /[\s()[\]{}<>'"`,;]+/;
// `path.ext:line`, `path.ext:line:column` or pytest's `path.ext:line:`, anchored to a whole token.
const PATH_WITH_LINE = /^(.+\.[A-Za-z0-9]+):(\d{1,12})(?::(\d{1,12}))?:?$/;
const ANSI_CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const PATH_LIKE_NAME = /\.(?:[cm]?[jt]sx?|py|rb|go|rs|java|kt|php|cs|swift)$/;

/**
 * Locates a failed test case. The testcase's `file` attribute comes first, with the line of the
 * first stack frame in that file or else its `line` attribute. Next comes the first stack frame
 * that names a repository file. Last, a classname that looks like a path is used at line 1.
 */
export function locateFailure(options: {
  fileAttribute: string | undefined;
  lineAttribute: string | undefined;
  classname: string | undefined;
  texts: string[];
  checkoutPrefixes: readonly string[];
}): FailureLocation {
  const prefixes = normalizePrefixes(options.checkoutPrefixes);
  const frames = findRepositoryFrames(options.texts, prefixes);

  const attributeFile = options.fileAttribute ? toRepositoryPath(options.fileAttribute, prefixes) : undefined;
  if (attributeFile) {
    const frameInFile = frames.find((frame) => frame.file === attributeFile);
    const line = frameInFile?.line ?? toLineNumber(options.lineAttribute) ?? 1;
    return { file: attributeFile, line };
  }

  const firstFrame = frames[0];
  if (firstFrame) return firstFrame;

  const classname = options.classname?.trim() ?? "";
  if (looksLikePath(classname)) {
    const file = toRepositoryPath(classname, prefixes);
    if (file) return { file, line: 1 };
  }
  return { file: "", line: 1 };
}

/**
 * Parses a line number and clamps it to 1..MAX_LINE_NUMBER, or returns undefined when the text
 * does not start with digits. Fractions are cut to their integer part.
 */
export function toLineNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number.parseInt(text.trim(), 10);
  if (Number.isNaN(value)) return undefined;
  return Math.min(Math.max(value, 1), MAX_LINE_NUMBER);
}

/**
 * Turns a path from a report into a repository-relative one: strips `file://` and the first
 * matching checkout prefix, and rejects absolute paths outside the checkout, paths that climb
 * out with `..`, and dependencies under `node_modules/`.
 */
export function toRepositoryPath(raw: string, prefixes: readonly string[]): string | undefined {
  let path = raw.startsWith("file://") ? decodeFileUrlPath(raw.slice("file://".length)) : raw;
  const prefix = prefixes.find((candidate) => path.startsWith(candidate));
  if (prefix) path = path.slice(prefix.length);
  else if (path.startsWith("/")) return undefined;

  path = path.replace(/^(?:\.\/)+/, "");
  const segments = path.split("/");
  if (path === "" || segments.includes("..") || segments.includes("node_modules") || segments.includes("")) {
    return undefined;
  }
  return path;
}

function findRepositoryFrames(texts: string[], prefixes: readonly string[]): FailureLocation[] {
  const frames: FailureLocation[] = [];
  for (const text of texts) {
    for (const line of text.replace(ANSI_CSI, "").split("\n")) {
      const frame = parseFrameLine(line, prefixes);
      if (frame) frames.push(frame);
    }
  }
  return frames;
}

function parseFrameLine(line: string, prefixes: readonly string[]): FailureLocation | undefined {
  const python = PYTHON_FRAME.exec(line);
  if (python?.[1] && python[2]) {
    const file = toRepositoryPath(python[1], prefixes);
    if (file) return { file, line: toLineNumber(python[2]) ?? 1 };
  }

  for (const token of line.split(TOKEN_SEPARATORS)) {
    if (token.length === 0 || token.length > MAX_PATH_LENGTH) continue;
    const match = PATH_WITH_LINE.exec(token);
    if (!match?.[1] || !match[2]) continue;
    // A bare `Name.java:12` names no directory, so only accept it with a column as well.
    if (!match[1].includes("/") && match[3] === undefined) continue;
    const file = toRepositoryPath(match[1], prefixes);
    if (file) return { file, line: toLineNumber(match[2]) ?? 1 };
  }
  return undefined;
}

function looksLikePath(name: string): boolean {
  if (name.length === 0 || /\s/.test(name)) return false;
  return name.includes("/") || PATH_LIKE_NAME.test(name);
}

function normalizePrefixes(prefixes: readonly string[]): string[] {
  return prefixes
    .map((prefix) => (prefix.startsWith("file://") ? decodeFileUrlPath(prefix.slice("file://".length)) : prefix))
    .filter((prefix) => prefix.length > 0)
    .map((prefix) => (prefix.endsWith("/") ? prefix : `${prefix}/`));
}

function decodeFileUrlPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    // A malformed escape is kept as written; the path then simply fails to match a prefix.
    return path;
  }
}
