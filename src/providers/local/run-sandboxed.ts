import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";

import { PaddockError, describeError } from "../../errors.ts";
import type { StepResult } from "../../pipeline/step-result.ts";
import { CappedLogWriter, DEFAULT_LOG_MAX_BYTES } from "./capped-log.ts";
import { formatDuration } from "./format-duration.ts";
import { RUN_MARKER_VARIABLE, killMarkedProcesses } from "./marked-processes.ts";
import { OutputTail } from "./output-tail.ts";

/** Options of {@link runSandboxed}. */
export interface RunSandboxedOptions {
  /** Program and arguments: `bwrap ...` normally, `/bin/sh -c ...` when running unsandboxed. */
  argv: [string, ...string[]];
  /** Complete environment of the spawned program; nothing is inherited when it is set. */
  env?: Record<string, string>;
  cwd?: string;
  /** Log file, created or truncated. Stdout and stderr both go to it, capped as {@link CappedLogWriter} describes. */
  logPath: string;
  /** Maximum bytes of output the log keeps, besides the line that counts the dropped bytes (10 MiB by default). */
  logMaxBytes?: number;
  /** Text written at the top of the log, such as a warning that the step ran unsandboxed. */
  logPreamble?: string;
  /**
   * Value of PADDOCK_RUN_ID in `env`, set for unsandboxed steps: when the program exits, every
   * process that carries it is killed too, including those that left the process group.
   */
  processMarker?: string;
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

/**
 * Time the output may stay open after the program exited. Only a process that escaped the
 * process group can hold it open that long: in bwrap, the PID namespace ends with the program.
 */
export const OUTPUT_DRAIN_MS = 1000;

type StopCause = { status: "timed_out" | "cancelled"; reason: string };

/**
 * Runs a program in its own process group, streaming stdout and stderr to the log file with
 * backpressure and to a bounded tail. The timeout and the signal each kill the whole process
 * group with SIGKILL; for bwrap, that takes the sandbox's PID namespace and every process in it
 * along. Leftover processes of the group, and with `processMarker` every process that carries
 * the marker, are also killed when the program exits.
 * Resolves for every outcome of the program; rejects only when it cannot start or the log fails.
 */
export async function runSandboxed(options: RunSandboxedOptions): Promise<SandboxRun> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const tail = new OutputTail({ maxLines: options.tailLines, maxBytes: options.tailBytes });

  await mkdir(path.dirname(options.logPath), { recursive: true });
  const log = new CappedLogWriter(options.logPath, options.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES);
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

/**
 * Spawns the program, wires output, timeout and signal, and waits until the program has exited
 * and all output is on disk.
 */
function runProcessGroup(options: RunSandboxedOptions, log: CappedLogWriter, tail: OutputTail): Promise<ProcessExit> {
  return new Promise<ProcessExit>((resolve, reject) => {
    const [file, ...args] = options.argv;
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? {}, detached: true, stdio: ["ignore", "pipe", "pipe"] });

    let cause: StopCause | undefined;
    let failure: Error | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let markedKilled: Promise<unknown> = Promise.resolve();
    const recordFailure = (error: Error): void => {
      failure ??= error;
    };
    const fail = (error: Error): void => {
      recordFailure(error);
      killGroup(child.pid, recordFailure);
    };
    const disarm = watchForStop(options, (stopCause) => {
      cause ??= stopCause;
      killGroup(child.pid, recordFailure);
    });

    log.on("error", (error: Error) => fail(new PaddockError("SANDBOX_UNAVAILABLE", `writing the step log ${options.logPath} failed: ${error.message}`, { cause: error })));
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk: Buffer) => tail.push(chunk));
      stream.on("error", (error) => fail(new PaddockError("SANDBOX_UNAVAILABLE", `reading the output of ${file} failed: ${error.message}`, { cause: error })));
      stream.pipe(log, { end: false });
    }

    child.once("error", (error) => {
      disarm();
      log.destroy();
      reject(new PaddockError("SANDBOX_UNAVAILABLE", `starting ${file} failed: ${error.message}`, { cause: error }));
    });
    child.once("exit", () => {
      disarm();
      // Leftovers in the group die with the step, as they do when the sandbox's PID namespace ends.
      killGroup(child.pid, recordFailure);
      const marker = options.processMarker;
      if (marker !== undefined) {
        markedKilled = killMarkedProcesses(marker).catch((error: unknown) =>
          recordFailure(new PaddockError("SANDBOX_UNAVAILABLE", `killing the processes marked ${RUN_MARKER_VARIABLE}=${marker} failed: ${describeError(error)}`, { cause: error })),
        );
      }
      // A process that left the group (setsid) can hold the pipes open for ever: stop reading after a grace period.
      drainTimer = setTimeout(() => {
        for (const stream of [child.stdout, child.stderr]) stream.destroy();
        log.write(`\npaddock: output closed ${OUTPUT_DRAIN_MS} ms after the step exited, because a process outside its process group kept it open\n`);
      }, OUTPUT_DRAIN_MS);
    });
    child.once("close", async (code, signalName) => {
      clearTimeout(drainTimer);
      await markedKilled;
      if (failure !== undefined) {
        log.destroy();
        reject(failure);
        return;
      }
      closeLog(log).then(
        () => (failure ? reject(failure) : resolve({ code, signalName, cause })),
        (error: unknown) => reject(failure ?? error),
      );
    });
  });
}

/** Sends SIGKILL to the whole process group; an empty group (ESRCH) is fine, anything else fails the run. */
function killGroup(pid: number | undefined, fail: (error: Error) => void): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return;
    fail(new PaddockError("SANDBOX_UNAVAILABLE", `killing process group ${pid} failed: ${describeError(error)}`, { cause: error }));
  }
}

/** Calls `stop` when the timeout passes or the signal aborts; returns the function that disarms both. */
function watchForStop(options: Pick<RunSandboxedOptions, "timeoutSeconds" | "signal">, stop: (cause: StopCause) => void): () => void {
  const timer = setTimeout(
    () => stop({ status: "timed_out", reason: `timed out after ${formatDuration(options.timeoutSeconds)}` }),
    options.timeoutSeconds * 1000,
  );
  const onAbort = (): void => stop({ status: "cancelled", reason: describeAbortReason(options.signal) });
  options.signal.addEventListener("abort", onAbort, { once: true });

  return () => {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onAbort);
  };
}

function closeLog(log: CappedLogWriter): Promise<void> {
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
