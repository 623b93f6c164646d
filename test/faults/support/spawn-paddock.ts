import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A Paddock process the test started, its webhook URL and the log lines it printed. */
export interface PaddockProcess {
  child: ChildProcess;
  webhookUrl: string;
  logs: Array<Record<string, unknown>>;
  /** Resolves with the signal or code the process ended with. */
  exited: Promise<NodeJS.Signals | number | null>;
}

const ENTRY = new URL("./paddock-process.ts", import.meta.url).pathname;

/** Starts `paddock-process.ts` and resolves once it listens; rejects when it exits first. */
export async function spawnPaddock(options: { baseUrl: string; stateDir: string; sandbox?: "bwrap" | "none" }): Promise<PaddockProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PADDOCK_TEST_BASE_URL: options.baseUrl, PADDOCK_STATE_DIR: options.stateDir, PADDOCK_SANDBOX: options.sandbox ?? "bwrap" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  const logs: Array<Record<string, unknown>> = [];
  const lines = createInterface({ input: child.stdout! });

  const webhookUrl = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (typeof parsed.webhookUrl === "string") resolve(parsed.webhookUrl);
      else logs.push(parsed);
    });
    void exited.then((how) => reject(new Error(`paddock-process.ts exited (${String(how)}) before it listened`)));
  });
  return { child, webhookUrl, logs, exited };
}
