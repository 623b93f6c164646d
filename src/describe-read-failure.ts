import { FileRejectedError } from "./read-bounded-file.ts";

/** Describes why reading a file failed, in words an operator can act on, from the error's code. */
export function describeReadFailure(error: unknown): string {
  if (error instanceof FileRejectedError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "is a folder, not a file";
  if (code === "EACCES" || code === "EPERM") return "file not readable (permission denied)";
  return `file unreadable (${code ?? "unknown error"})`;
}
