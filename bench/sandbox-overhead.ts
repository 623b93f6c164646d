/**
 * Measures what the local provider's sandbox adds to one step. The same short command runs N
 * times with a plain spawn and N times through `runSandboxed` in bubblewrap, which also writes
 * the log file and keeps the output tail. The p50 and p95 wall times of each are printed as a
 * Markdown table.
 *
 *   node --import tsx bench/sandbox-overhead.ts [--runs N]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import { buildBwrapArgs } from "../src/providers/local/bwrap-args.ts";
import { findBwrap } from "../src/providers/local/find-bwrap.ts";
import { readHostLayout } from "../src/providers/local/host-layout.ts";
import { runSandboxed } from "../src/providers/local/run-sandboxed.ts";
import { prepareSandboxEtc } from "../src/providers/local/sandbox-etc.ts";
import { buildStepEnv } from "../src/providers/local/step-env.ts";

const COMMANDS: [string, ...string[]][] = [["/bin/true"], [process.execPath, "-e", "0"]];

interface Percentiles {
  p50: number;
  p95: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "50" } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs} is invalid: pass a positive whole number of runs`);
  const bwrap = await findBwrap();
  const hostEntries = await readHostLayout();
  const nodeDirectory = path.dirname(process.execPath);
  const workspace = await mkdtemp(path.join(tmpdir(), "paddock-bench-"));
  const etcEntries = await prepareSandboxEtc({ hostEtc: "/etc", accountsDirectory: path.join(workspace, "accounts") });

  console.log(`sandbox overhead: ${runs} runs each, ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}\n`);
  console.log("| command | direct p50 | direct p95 | sandboxed p50 | sandboxed p95 | overhead p50 | overhead p95 |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");

  try {
    for (const argv of COMMANDS) {
      const command = argv.map((part) => (part === process.execPath ? "node" : part)).join(" ");
      const env = buildStepEnv({ nodeDirectory, stepEnv: {} });
      const args = buildBwrapArgs({ hostEntries, etcEntries, nodeDirectory, workspaceDirectory: workspace, shareNetwork: false, env, command: argv.join(" ") });
      const runSandboxedOnce = async (): Promise<void> => {
        const run = await runSandboxed({ argv: [bwrap, ...args], logPath: path.join(workspace, "step.log"), timeoutSeconds: 60, signal: new AbortController().signal });
        if (run.status !== "success") throw new Error(`${command} ended with ${run.status}: ${run.outputTail}`);
      };

      // Both get the step's environment: the host's may slow programs down (NODE_EXTRA_CA_CERTS does for node).
      const [directTimes, sandboxedTimes] = await repeatAlternating(runs, [() => spawnAndWait(argv, env), runSandboxedOnce]);
      const direct = percentiles(directTimes);
      const sandboxed = percentiles(sandboxedTimes);

      const cells = [direct.p50, direct.p95, sandboxed.p50, sandboxed.p95, sandboxed.p50 - direct.p50, sandboxed.p95 - direct.p95];
      console.log(`| \`${command}\` | ${cells.map((value) => `${value.toFixed(1)} ms`).join(" | ")} |`);
    }
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

/**
 * Runs both tasks `count` times, alternating so that load from other processes hits both alike,
 * after one unmeasured warm-up of each, and returns each task's times in ms.
 */
async function repeatAlternating(count: number, tasks: [() => Promise<void>, () => Promise<void>]): Promise<[number[], number[]]> {
  const times: [number[], number[]] = [[], []];
  for (const task of tasks) await task();
  for (let index = 0; index < count; index += 1) {
    for (const [position, task] of tasks.entries()) {
      const started = performance.now();
      await task();
      times[position]?.push(performance.now() - started);
    }
  }
  return times;
}

function spawnAndWait(argv: [string, ...string[]], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: "ignore", env });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(" ")} exited with code ${code}`))));
  });
}

/** Nearest-rank percentiles. */
function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const rank = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
  return { p50: rank(0.5), p95: rank(0.95) };
}

await main();
