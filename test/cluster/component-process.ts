import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** How many trailing log lines an error message quotes. */
const LOG_TAIL_LINES = 40;

/** How long a component gets between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** One control plane process, started in its own process group. */
export interface ComponentProcess {
  name: string;
  logFile: string;
  child: ChildProcess;
  /** Resolves with the exit code, or with the signal name, once the process has exited. */
  exited: Promise<number | string>;
  /** The exit code or signal name, or undefined while the process runs. */
  exitStatus(): number | string | undefined;
}

export interface StartComponentOptions {
  name: string;
  binary: string;
  args: string[];
  /** The directory that receives `<name>.log` with stdout and stderr. */
  logDir: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts a binary with stdout and stderr in `<logDir>/<name>.log`. The process
 * leads a new process group, so `stopComponent` also ends its children.
 */
export function startComponent(options: StartComponentOptions): ComponentProcess {
  const logFile = join(options.logDir, `${options.name}.log`);
  const logFd = openSync(logFile, "a");
  let status: number | string | undefined;

  const child = spawn(options.binary, options.args, {
    detached: true,
    stdio: ["ignore", logFd, logFd],
    env: options.env,
  });
  closeSync(logFd);

  const exited = new Promise<number | string>((resolve) => {
    child.once("error", (error) => {
      status = `spawn error: ${error.message}`;
      resolve(status);
    });
    child.once("exit", (code, signal) => {
      status = code ?? signal ?? "unknown";
      resolve(status);
    });
  });

  return { name: options.name, logFile, child, exited, exitStatus: () => status };
}

/** Sends SIGTERM to the component's process group, then SIGKILL if it is still running after a grace period. */
export async function stopComponent(component: ComponentProcess): Promise<void> {
  if (component.exitStatus() !== undefined) {
    return;
  }
  signalGroup(component, "SIGTERM");

  const stopped = await Promise.race([component.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!stopped) {
    signalGroup(component, "SIGKILL");
    await component.exited;
  }
}

/** Sends SIGKILL to the component's process group without waiting, for use in a process `exit` handler. */
export function killComponentNow(component: ComponentProcess): void {
  if (component.exitStatus() === undefined) {
    signalGroup(component, "SIGKILL");
  }
}

function signalGroup(component: ComponentProcess, signal: NodeJS.Signals): void {
  const pid = component.child.pid;
  if (pid === undefined) {
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group has already exited between the status check and the kill.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") {
      throw error;
    }
  }
}

/** Returns the last lines of a component's log, or a note that the log could not be read. */
export function readLogTail(component: ComponentProcess, lines = LOG_TAIL_LINES): string {
  try {
    const text = readFileSync(component.logFile, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch (error) {
    return `(could not read ${component.logFile}: ${(error as Error).message})`;
  }
}

/** Builds the error for a component that failed to start, quoting the tail of its log. */
export function componentStartError(component: ComponentProcess, problem: string, cause?: unknown): Error {
  const status = component.exitStatus();
  const state = status === undefined ? "still running" : `exited with ${status}`;
  const message =
    `Control plane component ${component.name} failed to start: ${problem} (${state}).\n` +
    `Last ${LOG_TAIL_LINES} lines of ${component.logFile}:\n${readLogTail(component)}`;
  return new Error(message, { cause });
}

export interface WaitForComponentOptions {
  component: ComponentProcess;
  /** What the wait expects, for the error message, for example "/readyz to return ok". */
  description: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Returns true once the component is ready. A thrown error counts as not ready yet. */
  isReady: () => Promise<boolean>;
}

/**
 * Polls `isReady` until it returns true. Throws with the log tail when the
 * component exits first or when the timeout passes.
 */
export async function waitForComponent(options: WaitForComponentOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;

  while (Date.now() < deadline) {
    if (options.component.exitStatus() !== undefined) {
      throw componentStartError(options.component, `it exited while waiting for ${options.description}`, lastError);
    }
    try {
      if (await options.isReady()) {
        return;
      }
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 200);
  }

  const problem = `timed out after ${options.timeoutMs} ms waiting for ${options.description}`;
  throw componentStartError(options.component, problem, lastError);
}
