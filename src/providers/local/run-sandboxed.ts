import { spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";

import { PaddockError, describeError } from "../../errors.ts";
import type { StepResult } from "../../pipeline/step-result.ts";
import { formatDuration } from "./format-duration.ts";
import { OutputTail } from "./output-tail.ts";

/** What {@link runSandboxed} runs and where its output goes. */
export interface RunSandboxedOptions {
  /** Program and arguments: `bwrap ...` normally, `/bin/sh -c ...` when running unsandboxed. */
  argv: [string, ...string[]];
  /** Complete environment of the spawned program; nothing is inherited when it is set. */
  env?: Record<string, string>;
  cwd?: string;
  /** Full log file, created or truncated; stdout and stderr both go to it. */
  logPath: string;
  /** Text written at the top of the log, such as a warning that the step ran unsandboxed. */
  logPreamble?: string;
  timeoutSeconds: number;
  signal: AbortSignal;
  tailLines?: number;
  tailBytes?: number;
}

/** A finished run: the {@link StepResult} fields a process run determines. */
export type SandboxRun = Pick<
  StepResult,
  "status" | "exitCode" | "startedAt" | "durationMs" | "outputTail" | "outputTruncated" | "reason"
>;

type StopCause = { status: "timed_out" | "cancelled"; reason: string };

/**
 * Runs a program in its own process group, streaming stdout and stderr to the log file with
 * backpressure and to a bounded tail. The timeout and the signal each kill the whole process
 * group with SIGKILL; for bwrap, that takes the sandbox's PID namespace and every process in it
 * along. Leftover processes of the group are also killed when the program exits.
 * Resolves for every outcome of the program; rejects only when it cannot start or the log fails.
 */
export async function runSandboxed(options: RunSandboxedOptions): Promise<SandboxRun> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const tail = new OutputTail({ maxLines: options.tailLines, maxBytes: options.tailBytes });

  await mkdir(path.dirname(options.logPath), { recursive: true });
  const log = createWriteStream(options.logPath);
  if (options.logPreamble !== undefined) log.write(options.logPreamble);

  const finish = (fields: Pick<SandboxRun, "status" | "exitCode" | "reason">): SandboxRun => {
    const { text, truncated } = tail.read();
    return { ...fields, startedAt, durationMs: Math.round(performance.now() - started), outputTail: text, outputTruncated: truncated };
  };

  if (options.signal.aborted) {
    await closeLog(log);
    return finish({ status: "cancelled", exitCode: null, reason: describeAbortReason(options.signal) });
  }

  const exit = await runProcessGroup(options, log, tail);
  if (exit.cause !== undefined) return finish({ status: exit.cause.status, exitCode: null, reason: exit.cause.reason });
  if (exit.code === 0) return finish({ status: "success", exitCode: 0 });
  if (exit.code !== null) return finish({ status: "failure", exitCode: exit.code, reason: `exited with code ${exit.code}` });
  return finish({ status: "failure", exitCode: null, reason: `killed by signal ${exit.signalName ?? "unknown"}` });
}

interface ProcessExit {
  code: number | null;
  signalName: NodeJS.Signals | null;
  cause: StopCause | undefined;
}

/** Spawns the program, wires output, timeout and signal, and waits until all output is on disk. */
function runProcessGroup(options: RunSandboxedOptions, log: WriteStream, tail: OutputTail): Promise<ProcessExit> {
  return new Promise<ProcessExit>((resolve, reject) => {
    const [file, ...args] = options.argv;
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? {}, detached: true, stdio: ["ignore", "pipe", "pipe"] });

    let cause: StopCause | undefined;
    let failure: Error | undefined;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch (error) {
        // ESRCH: the group is already empty. Anything else would leave processes running.
        if ((error as NodeJS.ErrnoException).code === "ESRCH") return;
        failure ??= new PaddockError("SANDBOX_UNAVAILABLE", `killing process group ${child.pid} failed: ${describeError(error)}`, { cause: error });
      }
    };
    const stop = (stopCause: StopCause): void => {
      cause ??= stopCause;
      killGroup();
    };

    const timer = setTimeout(
      () => stop({ status: "timed_out", reason: `timed out after ${formatDuration(options.timeoutSeconds)}` }),
      options.timeoutSeconds * 1000,
    );
    const onAbort = (): void => stop({ status: "cancelled", reason: describeAbortReason(options.signal) });
    options.signal.addEventListener("abort", onAbort, { once: true });
    const cleanUp = (): void => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
    };

    log.on("error", (error: Error) => {
      failure ??= new PaddockError("SANDBOX_UNAVAILABLE", `writing the step log ${options.logPath} failed: ${error.message}`, { cause: error });
      killGroup();
    });
    const outputEnded = Promise.all([child.stdout, child.stderr].map((stream) => forwardOutput(stream, log, tail)));

    child.once("error", (error) => {
      cleanUp();
      log.destroy();
      reject(new PaddockError("SANDBOX_UNAVAILABLE", `starting ${file} failed: ${error.message}`, { cause: error }));
    });
    child.once("exit", (code, signalName) => {
      cleanUp();
      killGroup();
      void outputEnded
        .then(() => closeLog(log))
        .then(() => (failure ? reject(failure) : resolve({ code, signalName, cause })), (error: unknown) => reject(failure ?? error));
    });
  });
}

/** Pipes one output stream into the shared log (pausing on backpressure) and into the tail. */
function forwardOutput(stream: Readable, log: WriteStream, tail: OutputTail): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => tail.push(chunk));
    stream.pipe(log, { end: false });
    stream.once("end", resolve);
    stream.once("error", reject);
  });
}

function closeLog(log: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    log.once("error", reject);
    log.end(() => resolve());
  });
}

/** Turns an abort reason into one line: a string or an Error's message, else "cancelled". */
export function describeAbortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === "string" && reason.length > 0) return reason;
  if (reason instanceof Error && reason.message.length > 0) return describeError(reason);
  return "cancelled";
}
