import * as core from "@actions/core";
import pino from "pino";
import { runAction } from "../src/action/run-action.ts";

// The Action's entry: wires @actions/core into the runner and nothing else.
await runAction({
  env: process.env,
  logger: pino({ level: process.env.RUNNER_DEBUG === "1" ? "debug" : "warn" }, pino.destination(2)),
  toolkit: {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(message),
    info: (message) => core.info(message),
    error: (message, properties) => core.error(message, properties),
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown).write();
    },
  },
});
