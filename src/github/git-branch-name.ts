/**
 * Maximum length of a branch name, in UTF-8 bytes. Git sets no limit, but a loose ref is stored
 * as a file under .git/refs/heads, and common file systems cap a file name at 255 bytes.
 * NOTE: this is an assumed limit. GitHub documents none, and a name with `/` could be longer.
 */
export const MAX_BRANCH_NAME_BYTES = 255;

/**
 * Describes why `name` cannot be a git branch name, following the rules of
 * `git check-ref-format --branch` for the part after `refs/heads/`; undefined when it can be one.
 */
export function describeInvalidBranchName(name: string): string | undefined {
  if (name === "") return "it is empty";
  const bytes = Buffer.byteLength(name, "utf8");
  if (bytes > MAX_BRANCH_NAME_BYTES) return `it is ${bytes} bytes long, over ${MAX_BRANCH_NAME_BYTES}`;

  const control = /[\u0000-\u001f\u007f]/.exec(name);
  if (control) return `it contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  const forbidden = /[ ~^:?*[\\]/.exec(name);
  if (forbidden) return forbidden[0] === " " ? "it contains a space" : `it contains '${forbidden[0]}'`;
  if (name.includes("..")) return "it contains '..'";
  if (name.includes("@{")) return "it contains '@{'";
  if (name === "@") return "it is '@'";
  if (name.startsWith("-")) return "it starts with '-'";
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return "it has an empty path component";
  if (name.endsWith(".")) return "it ends with '.'";

  const components = name.split("/");
  if (components.some((component) => component.startsWith("."))) return "a path component starts with '.'";
  if (components.some((component) => component.endsWith(".lock"))) return "a path component ends with '.lock'";
  return undefined;
}
