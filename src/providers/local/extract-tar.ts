import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

import { extract, type ReadEntry } from "tar";

import { PaddockError, describeError } from "../../errors.ts";

/** Maximum total size of the regular files one source archive may extract to (4 GiB). */
export const MAX_EXTRACTED_BYTES = 4 * 1024 ** 3;

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const ALLOWED_TYPES = new Set([...FILE_TYPES, "Directory", "SymbolicLink", "Link"]);

/** Options of {@link extractTar}. */
export interface ExtractTarOptions {
  input: Readable;
  /** Existing empty directory that receives the contents of the archive's single top-level folder. */
  destination: string;
  gzip: boolean;
  /** Cap on the total size of regular files; defaults to {@link MAX_EXTRACTED_BYTES}. */
  maxBytes?: number;
  /** Names the archive in error messages, such as "tarball of abc123". */
  description: string;
  signal: AbortSignal;
}

/**
 * Unpacks a tar stream whose entries all sit in one top-level folder, stripping that folder.
 * Rejects the whole archive on an absolute path, a `..` component, a link that points outside
 * the archive, an entry type other than file, directory or link, or more than `maxBytes` of file content.
 */
export async function extractTar(options: ExtractTarOptions): Promise<void> {
  const maxBytes = options.maxBytes ?? MAX_EXTRACTED_BYTES;
  let problem: { message: string; hint: string } | undefined;
  let topFolder: string | undefined;
  let totalBytes = 0;

  const unpack = extract({
    cwd: options.destination,
    strip: 1,
    strict: true,
    filter: (_entryPath, entry) => {
      const readEntry = entry as ReadEntry;
      topFolder ??= readEntry.path.split("/")[0];
      if (FILE_TYPES.has(readEntry.type)) totalBytes += readEntry.size ?? 0;

      const entryProblem = findEntryProblem(readEntry, topFolder ?? "");
      if (entryProblem !== undefined) problem ??= { message: entryProblem, hint: "Paddock rejects archives that could write outside the checkout" };
      if (totalBytes > maxBytes) problem ??= { message: `its files exceed the limit of ${maxBytes} bytes`, hint: "Remove large files from the commit, because the limit protects this machine's disk" };

      if (problem !== undefined) unpack.abort(new Error(problem.message));
      return problem === undefined;
    },
  });

  const stages: NodeJS.ReadWriteStream[] = options.gzip ? [createGunzip()] : [];
  try {
    await pipeline([options.input, ...stages, unpack as unknown as NodeJS.WritableStream], { signal: options.signal });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new PaddockError("SOURCE_FETCH_FAILED", `extracting the ${options.description} failed: ${problem?.message ?? describeError(error)}`, {
      hint: problem?.hint ?? "Check that the archive is a valid gzipped tar file",
      cause: error,
    });
  }
}

/** Returns why one entry is unsafe, or undefined when it may be extracted. */
function findEntryProblem(entry: ReadEntry, topFolder: string): string | undefined {
  const entryPath = entry.path;
  if (!ALLOWED_TYPES.has(entry.type)) return `entry ${entryPath} has the unsupported type ${entry.type}`;
  if (path.posix.isAbsolute(entryPath)) return `entry ${entryPath} has an absolute path`;
  if (entryPath.split("/").includes("..")) return `entry ${entryPath} contains a '..' component`;

  const parts = entryPath.split("/").filter((part) => part !== "" && part !== ".");
  if (parts[0] !== topFolder) return `entry ${entryPath} is outside the single top-level folder ${topFolder}`;
  if (parts.length === 1 && entry.type !== "Directory") return `entry ${entryPath} is not inside the top-level folder`;

  const linkPath = entry.linkpath;
  if (entry.type === "SymbolicLink") return findSymbolicLinkProblem(entryPath, parts.length - 2, linkPath);
  if (entry.type === "Link") {
    const target = linkPath ?? "";
    const targetParts = target.split("/");
    if (path.posix.isAbsolute(target) || targetParts.includes("..") || targetParts[0] !== topFolder) {
      return `hard link ${entryPath} points outside the archive to ${JSON.stringify(target)}`;
    }
  }
  return undefined;
}

/**
 * Checks a symbolic link lexically. Its target may climb with leading `..` components no higher
 * than the checkout root (`depth` is how many folders below the root the link sits), then name
 * entries downwards. A `..` after a name is rejected, because the kernel resolves it after
 * following that name, which may itself be a link: `a/b/..` is not always `a`.
 */
function findSymbolicLinkProblem(entryPath: string, depth: number, linkPath: string | undefined): string | undefined {
  if (linkPath === undefined || path.posix.isAbsolute(linkPath)) return `symbolic link ${entryPath} points to the absolute path ${JSON.stringify(linkPath)}`;

  const targetParts = linkPath.split("/").filter((part) => part !== "" && part !== ".");
  const firstName = targetParts.findIndex((part) => part !== "..");
  const climbs = firstName === -1 ? targetParts.length : firstName;
  if (climbs > depth) return `symbolic link ${entryPath} points outside the archive to ${JSON.stringify(linkPath)}`;
  if (targetParts.slice(climbs).includes("..")) return `symbolic link ${entryPath} has a '..' after a name in its target ${JSON.stringify(linkPath)}`;
  return undefined;
}
