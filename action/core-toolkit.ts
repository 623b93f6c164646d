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
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown).write();
    },
  };
}
