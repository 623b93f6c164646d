import type { Logger } from "pino";
import type { ActionProviderFactory } from "../src/action/create-action-provider.ts";
import { runAction } from "../src/action/run-action.ts";
import { createCoreToolkit } from "./core-toolkit.ts";
import { createWorkflowLogger } from "./workflow-log.ts";

/** Signals the runner sends when a workflow run is cancelled. */
const CANCEL_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs the Action as the runner starts it: inputs and files from the environment, @actions/core
 * for outputs. A cancelled workflow run aborts the running step, so the check run concludes as cancelled.
 * Tests pass `fetch` (getOctokit's own fetch is invisible to nock), a provider factory and a
 * logger. The default logger writes warnings and errors as workflow annotations, and debug lines with RUNNER_DEBUG=1.
 */
export async function runMain(options: { fetch?: typeof globalThis.fetch; createProvider?: ActionProviderFactory; logger?: Logger } = {}): Promise<void> {
  const controller = new AbortController();
  const cancel = (): void => controller.abort(new Error("Cancelled: the workflow run was cancelled"));
  for (const signal of CANCEL_SIGNALS) process.once(signal, cancel);

  try {
    await runAction({
      env: process.env,
      logger: options.logger ?? createWorkflowLogger({ debug: process.env.RUNNER_DEBUG === "1" }),
      signal: controller.signal,
      toolkit: createCoreToolkit(),
      dependencies: {
        // Imported only now: loading @actions/github parses GITHUB_EVENT_PATH at once and throws a
        // bare SyntaxError on a broken file, which readActionEvent has reported by this point.
        createOctokit: async ({ token, baseUrl }) => {
          const { getOctokit } = await import("@actions/github");
          return getOctokit(token, { baseUrl, ...(options.fetch ? { request: { fetch: options.fetch } } : {}) });
        },
        ...(options.createProvider ? { createProvider: options.createProvider } : {}),
      },
    });
  } finally {
    for (const signal of CANCEL_SIGNALS) process.off(signal, cancel);
  }
}
