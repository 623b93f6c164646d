import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { vi } from "vitest";
import { runMain } from "../../action/run-main.ts";
import type { ActionProviderFactory } from "../../src/action/create-action-provider.ts";

/** What one step of the Action left behind, read the way the runner reads it. */
export interface StepResult {
  /** Everything written to stdout: log lines and workflow commands such as `::error`. */
  stdout: string;
  /** The outputs written to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** The markdown appended to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** The exit code the runner would see: 1 after setFailed. */
  exitCode: number;
  /** The runner's temporary folder (RUNNER_TEMP), with the state and the audit spool under `paddock/`. */
  runnerTemp: string;
}

/** Options of runActionStep: the event, inputs and extra variables of one step. */
export interface StepOptions {
  eventName: string;
  payload: unknown;
  inputs: Record<string, string>;
  workspace: string;
  /** Variables set besides the runner's own, such as GITHUB_ACTOR. */
  env?: Record<string, string>;
  /** Reused between steps of one job, so `down` finds what `up` created. */
  runnerTemp?: string;
  createProvider?: ActionProviderFactory;
  /** The logger runMain gets; silent unless a test checks what the Action logs. */
  logger?: Logger;
}

/**
 * Runs the Action's entry in this process as the runner starts it: inputs as INPUT_* variables,
 * the event as a file at GITHUB_EVENT_PATH, outputs and the summary as files. GitHub requests
 * go through the global fetch, so the nock-based fake GitHub intercepts them. The environment, the
 * exit code and stdout are restored afterwards.
 */
export async function runActionStep(options: StepOptions): Promise<StepResult> {
  const runnerTemp = options.runnerTemp ?? mkdtempSync(join(tmpdir(), "paddock-runner-"));
  const files = mkdtempSync(join(tmpdir(), "paddock-step-"));
  const paths = { event: join(files, "event.json"), output: join(files, "output"), summary: join(files, "summary.md") };
  writeFileSync(paths.event, JSON.stringify(options.payload));
  writeFileSync(paths.output, "");
  writeFileSync(paths.summary, "");

  const saved = { ...process.env };
  const inputs = Object.fromEntries(Object.entries(options.inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, "_").toUpperCase()}`, value]));
  Object.assign(process.env, {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: paths.event,
    GITHUB_OUTPUT: paths.output,
    GITHUB_STEP_SUMMARY: paths.summary,
    GITHUB_WORKSPACE: options.workspace,
    RUNNER_TEMP: runnerTemp,
    ...options.env,
    ...inputs,
  });
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });

  let exitCode: number;
  try {
    await runMain({ fetch: globalThis.fetch, logger: options.logger ?? pino({ level: "silent" }), ...(options.createProvider ? { createProvider: options.createProvider } : {}) });
  } finally {
    write.mockRestore();
    exitCode = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
  return { stdout: printed.join(""), outputs: parseOutputFile(readFileSync(paths.output, "utf8")), summary: readFileSync(paths.summary, "utf8"), exitCode, runnerTemp };
}

/** Parses GITHUB_OUTPUT, whose entries @actions/core writes as `name<<delimiter`, the value, then the delimiter. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^([^<]+)<<(\S+)$/.exec(lines[index] ?? "");
    if (!match) continue;
    const [, name, delimiter] = match;
    const end = lines.indexOf(delimiter!, index + 1);
    outputs[name!] = lines.slice(index + 1, end).join("\n");
    index = end;
  }
  return outputs;
}
