import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { PaddockError } from "../errors.ts";
import type { LedgerFile } from "./audit-problem.ts";
import { CHECKPOINTS_DIRECTORY, HEAD_PATH, isRecordFilePath, RECORDS_DIRECTORY } from "./ledger-layout.ts";

/** The ledger files of a checkout of the audit repository, each list sorted by path. */
export interface AuditCheckout {
  recordFiles: LedgerFile[];
  checkpointFiles: LedgerFile[];
  headFile: LedgerFile | null;
}

const CHECKPOINT_FILE_PATTERN = /^checkpoints\/\d+\.json$/;

/**
 * Reads the record files (`records/YYYY/MM/DD.jsonl`), checkpoints and `head.json` of a
 * checkout. Files elsewhere are ignored. Throws USAGE when `root` is not found or not a directory, or
 * when it contains none of those files, which is a wrong path more often than a ledger whose
 * every file was deleted. Throws AUDIT_CHECKOUT_INVALID when `records/`, `checkpoints/`,
 * `head.json` or anything under those folders is a symbolic link.
 */
export async function readAuditCheckout(root: string): Promise<AuditCheckout> {
  const info = await stat(root).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new PaddockError("USAGE", `${root} not found`, { hint: "pass the path of a checkout of the audit repository", cause: error });
    }
    return undefined;
  });
  if (!info?.isDirectory()) {
    throw new PaddockError("USAGE", `${root} is not a directory`, { hint: "pass the path of a checkout of the audit repository" });
  }
  await rejectSymbolicLinks(root);

  const recordPaths = (await listFiles(root, RECORDS_DIRECTORY)).filter(isRecordFilePath);
  const checkpointPaths = (await listFiles(root, CHECKPOINTS_DIRECTORY)).filter((path) => CHECKPOINT_FILE_PATTERN.test(path));
  const head = await readFile(join(root, HEAD_PATH), "utf8").catch(() => null);
  if (recordPaths.length === 0 && checkpointPaths.length === 0 && head === null) {
    throw new PaddockError("USAGE", `${root} is not an audit ledger: it has no ${HEAD_PATH}, no ${RECORDS_DIRECTORY}/YYYY/MM/DD.jsonl files and no ${CHECKPOINTS_DIRECTORY}/`, {
      hint: "pass the path of a checkout of the audit repository after Paddock has appended its first records",
    });
  }

  return {
    recordFiles: await readAll(root, recordPaths),
    checkpointFiles: await readAll(root, checkpointPaths),
    headFile: head === null ? null : { path: HEAD_PATH, text: head },
  };
}

async function listFiles(root: string, directory: string): Promise<string[]> {
  const entries = await readdir(join(root, directory), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

async function readAll(root: string, paths: readonly string[]): Promise<LedgerFile[]> {
  return Promise.all(paths.map(async (path) => ({ path, text: await readFile(join(root, path), "utf8") })));
}

/**
 * Rejects a checkout with a symbolic link among the ledger's paths. The appender writes only
 * regular files, so a link there did not come from Paddock. A link to a day file could pass off another file's
 * records, and a link that is skipped would hide a day, so neither is followed nor skipped.
 */
async function rejectSymbolicLinks(root: string): Promise<void> {
  const links: string[] = [];
  for (const path of [RECORDS_DIRECTORY, CHECKPOINTS_DIRECTORY, HEAD_PATH]) {
    const info = await lstat(join(root, path)).catch(() => undefined);
    if (info?.isSymbolicLink()) links.push(path);
    else if (info?.isDirectory()) links.push(...(await listSymbolicLinks(root, path)));
  }
  if (links.length === 0) return;

  links.sort();
  const more = links.length > 1 ? ` (and ${links.length - 1} more)` : "";
  throw new PaddockError("AUDIT_CHECKOUT_INVALID", `${links[0]}${more} in ${root} is a symbolic link, and symbolic links are not accepted in a ledger checkout`, {
    hint: "a clone of the audit repository has none, so verify a fresh clone",
  });
}

async function listSymbolicLinks(root: string, directory: string): Promise<string[]> {
  const entries = await readdir(join(root, directory), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isSymbolicLink()).map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"));
}
