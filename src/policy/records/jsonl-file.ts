import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";

/** Appends one JSON record as a line, creating the folder on first use. */
export async function appendJsonLine(file: string, record: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // One write call per line: appends under O_APPEND do not interleave within a line on local file systems.
  await appendFile(file, `${JSON.stringify(record)}\n`);
}

/**
 * Reads every complete line of a JSONL file through `parse`; a missing file has no lines, and a
 * last line without its newline is an append still in progress, left for the next read. A
 * complete line that is not valid JSON or that `parse` rejects throws with the file and line
 * number, because records that cannot be read must not be guessed around.
 */
export async function readJsonLines<T>(file: string, parse: (value: unknown) => T): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: T[] = [];
  // A concurrent append may be half-written: only lines that end in a newline are complete.
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  complete.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      records.push(parse(JSON.parse(line)));
    } catch (error) {
      throw new Error(`${file}:${index + 1}: unreadable record (${(error as Error).message})`, { cause: error });
    }
  });
  return records;
}
