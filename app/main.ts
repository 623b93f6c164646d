import { createPaddockOctokit } from "../src/github/paddock-octokit.ts";
import { describeError } from "../src/errors.ts";
import { runProbotBehindFront } from "../src/github/run-probot-behind-front.ts";
import { readWebhookFrontLimits } from "../src/github/webhook-front-limits.ts";
import { createPaddockRuntime } from "../src/service/create-runtime.ts";
import { keepWasmOnBaselineCompiler } from "../src/service/keep-wasm-on-baseline-compiler.ts";
import { loadDotEnv } from "../src/service/load-dot-env.ts";
import { createPaddockApp } from "./paddock-app.ts";

/** Maximum wait at SIGTERM for hand-overs and teardowns under way, within Kubernetes' default 30-second grace period. */
const SHUTDOWN_WAIT_MS = 20_000;
/** Part of that wait for the webhook front to finish open requests and hand over the deliveries it accepted. */
const FRONT_CLOSE_WAIT_MS = 5_000;

// Probot's setup mode would otherwise ask smee.io for a webhook proxy channel; opt in with NO_SMEE_SETUP=false.
process.env.NO_SMEE_SETUP ??= "true";

try {
  // Before the first fetch: TurboFan's compile of fetch's HTTP parser caused the app's peak memory.
  keepWasmOnBaselineCompiler();
  loadDotEnv(process.env);
  // Read before the runtime logs that it is ready, so a bad limit stops the app first.
  const limits = readWebhookFrontLimits(process.env);
  const runtime = await createPaddockRuntime({ env: process.env });
  const { replicas } = runtime;
  const appFn = createPaddockApp({ service: runtime.service, sweepIntervalMs: runtime.sweepIntervalMs, webhookMaxBytes: limits.maxBodyBytes, ...(replicas ? { replicas } : {}) });
  const front = await runProbotBehindFront({
    appFn,
    env: process.env,
    logger: runtime.logger,
    Octokit: createPaddockOctokit(),
    limits,
    // A process whose front died accepts no webhook, so it exits and Kubernetes restarts it.
    onFailure: (error) => {
      runtime.logger.fatal({ err: error }, "webhook front failed; exiting");
      process.exit(1);
    },
  });
  if (replicas) {
    // On SIGTERM (a rollout or a scale-down) the front replies 503 and the Leases go back at once, so another replica resumes the runs without waiting for them to expire.
    process.once("SIGTERM", () => {
      runtime.logger.info("SIGTERM received; closing the webhook front and releasing leases");
      void front
        .close({ timeoutMs: FRONT_CLOSE_WAIT_MS })
        .then(() => replicas.stop({ release: true }))
        .then(() => Promise.race([runtime.service.onIdle(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS - FRONT_CLOSE_WAIT_MS))]))
        .catch((error: unknown) => runtime.logger.error({ err: error }, "releasing leases at shutdown failed"))
        .finally(() => process.exit(0));
    });
  } else {
    // A single process stops taking webhooks, then gives the work under way a bounded wait. Runs
    // still going are reported at the next start, from their environments' labels.
    process.once("SIGTERM", () => {
      runtime.logger.info("SIGTERM received; closing the webhook front");
      void front
        .close({ timeoutMs: FRONT_CLOSE_WAIT_MS })
        .then(() => Promise.race([runtime.service.onIdle(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS - FRONT_CLOSE_WAIT_MS))]))
        .catch((error: unknown) => runtime.logger.error({ err: error }, "closing the webhook front at shutdown failed"))
        .finally(() => process.exit(0));
    });
  }
} catch (error) {
  // A bad setting is an operator's mistake: print its message, not a stack trace.
  process.stderr.write(`paddock: ${describeError(error)}\n`);
  process.exit(1);
}
