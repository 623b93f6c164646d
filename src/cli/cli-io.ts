/** Streams and process facts a command needs; injected so tests run commands in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Exit code for bad input: a missing or invalid flag, file or payload. */
export const EXIT_USAGE = 2;
