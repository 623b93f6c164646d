/** Streams and process facts a command needs; injected so tests run commands in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Exit code for bad input: a missing or invalid flag, file or payload. */
export const EXIT_USAGE = 2;

/** The `--help` (`-h`) flag of every command, for parseArgs beside the command's own options. */
export const HELP_OPTION = { help: { type: "boolean", short: "h", default: false } } as const;

/** Prints a command's usage on standard output for `--help`, and returns the exit code 0. */
export function printUsage(options: { io: CliIo; usage: readonly string[] }): number {
  options.io.stdout(`Usage:\n${options.usage.map((line) => `  ${line}\n`).join("")}`);
  return 0;
}
