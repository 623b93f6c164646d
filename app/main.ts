import { run } from "probot";
import { createPaddockOctokit } from "../src/github/paddock-octokit.ts";
import { describeError } from "../src/errors.ts";
import { readWebhookMaxBytes } from "../src/github/webhook-body-limit.ts";
import { createPaddockRuntime } from "../src/service/create-runtime.ts";
import { loadDotEnv } from "../src/service/load-dot-env.ts";
import { createPaddockApp } from "./paddock-app.ts";

/** Maximum wait at SIGTERM for hand-overs and teardowns under way, within Kubernetes' default 30-second grace period. */
const SHUTDOWN_WAIT_MS = 20_000;

// Probot's setup mode would otherwise ask smee.io for a webhook proxy channel; opt in with NO_SMEE_SETUP=false.
process.env.NO_SMEE_SETUP ??= "true";

try {
  loadDotEnv(process.env);
  const runtime = await createPaddockRuntime({ env: process.env });
  const webhookMaxBytes = readWebhookMaxBytes(process.env);
  const { replicas } = runtime;
  await run(createPaddockApp({ service: runtime.service, sweepIntervalMs: runtime.sweepIntervalMs, webhookMaxBytes, ...(replicas ? { replicas } : {}) }), { log: runtime.logger, Octokit: createPaddockOctokit() });
  if (replicas) {
    // On SIGTERM (a rollout or a scale-down) the Leases go back at once, so another replica resumes the runs without waiting for them to expire.
    process.once("SIGTERM", () => {
      runtime.logger.info("SIGTERM received; releasing leases");
      void replicas
        .stop({ release: true })
        .then(() => Promise.race([runtime.service.onIdle(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS))]))
        .catch((error: unknown) => runtime.logger.error({ err: error }, "releasing leases at shutdown failed"))
        .finally(() => process.exit(0));
    });
  }
} catch (error) {
  // A bad setting is an operator's mistake: print its message, not a stack trace.
  process.stderr.write(`paddock: ${describeError(error)}\n`);
  process.exit(1);
}
