import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";

/** Result of one in-process CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the paddock CLI in-process with captured output. */
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main({
    args,
    io: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: options.cwd ?? process.cwd(), env: options.env ?? {} },
  });
  return { code, stdout, stderr };
}

/** Writes files into a fresh temporary folder and returns its path. */
export function writeTempFiles(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), "paddock-cli-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), content);
  return directory;
}
