import { appendFile } from "node:fs/promises";
import { EOL } from "node:os";
import * as core from "@actions/core";
import type { ActionToolkit } from "../src/action/action-toolkit.ts";

/** Creates the toolkit over @actions/core, which talks to the runner through stdout and files. */
export function createCoreToolkit(): ActionToolkit {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    setFailed: (message) => core.setFailed(message),
    info: (message) => core.info(message),
    error: (message, properties) => core.error(message, properties),
    warning: (message, properties) => core.warning(message, properties),
    notice: (message, properties) => core.notice(message, properties),
    writeSummary: (markdown) => appendSummary(markdown),
  };
}

// core.summary caches the summary file's path on its first write, for the life of the process,
// so the file is appended to directly and each run in a process finds its own file.
async function appendSummary(markdown: string): Promise<void> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path) {
    core.info(markdown);
    return;
  }
  await appendFile(path, `${markdown}${EOL}`, { encoding: "utf8" });
}
