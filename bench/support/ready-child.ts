import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A benchmark helper process that printed its ready line. */
export interface ReadyChild<T> {
  child: ChildProcess;
  /** The JSON object of the first line the process printed. */
  ready: T;
  /** Closes the process's stdin, which makes it exit, and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <entry> <args>` and resolves with its first stdout line, parsed as
 * JSON. With PADDOCK_BENCH_CPU_PROF_DIR set, the child writes a V8 CPU profile to that folder
 * when it exits (node rejects `--cpu-prof` in NODE_OPTIONS).
 */
export async function startReadyChild<T>(entry: string, args: string[] = []): Promise<ReadyChild<T>> {
  const profileDir = process.env.PADDOCK_BENCH_CPU_PROF_DIR;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", entry, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<T>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line) as T));
    void exited.then(() => reject(new Error(`${entry} exited before it was ready`)));
  });
  return {
    child,
    ready,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
