import { run } from "probot";
import { createPaddockOctokit } from "../src/github/paddock-octokit.ts";
import { describeError } from "../src/errors.ts";
import { readWebhookMaxBytes } from "../src/github/webhook-body-limit.ts";
import { createPaddockRuntime } from "../src/service/create-runtime.ts";
import { loadDotEnv } from "../src/service/load-dot-env.ts";
import { createPaddockApp } from "./paddock-app.ts";

// Probot's setup mode would otherwise ask smee.io for a webhook proxy channel; opt in with NO_SMEE_SETUP=false.
process.env.NO_SMEE_SETUP ??= "true";

try {
  loadDotEnv(process.env);
  const runtime = await createPaddockRuntime({ env: process.env });
  const webhookMaxBytes = readWebhookMaxBytes(process.env);
  await run(createPaddockApp({ service: runtime.service, sweepIntervalMs: runtime.sweepIntervalMs, webhookMaxBytes }), { log: runtime.logger, Octokit: createPaddockOctokit() });
} catch (error) {
  // A bad setting is an operator's mistake: print its message, not a stack trace.
  process.stderr.write(`paddock: ${describeError(error)}\n`);
  process.exit(1);
}
