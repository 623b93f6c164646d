import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { CheckAnnotation } from "../checks/check-annotation.ts";
import { renderCheckRun } from "../checks/render-check-run.ts";
import { readConfigFlag, readPolicyFlag, readPullRequestPayload } from "../cli/read-inputs.ts";
import { PaddockError } from "../errors.ts";
import { runLocalPipeline } from "../service/run-local-pipeline.ts";

/** The parts of @actions/core the Action calls; injected so tests run it without a runner. */
export interface ActionToolkit {
  getInput: (name: string) => string;
  setOutput: (name: string, value: string) => void;
  setFailed: (message: string) => void;
  info: (message: string) => void;
  error: (message: string, properties: { file: string; startLine: number; title?: string }) => void;
  writeSummary: (markdown: string) => Promise<void>;
}

/** Commands the Action accepts. */
export const ACTION_COMMANDS = ["up"] as const;

/**
 * Runs the Action: reads its inputs and the workflow's event, runs the pipeline with the local
 * provider on the runner's checkout, and maps the result to outputs, a job summary and
 * annotations. Every failure ends in `setFailed`, including throws that are not Errors.
 */
export async function runAction(options: { toolkit: ActionToolkit; env: NodeJS.ProcessEnv; logger: Logger }): Promise<void> {
  const { toolkit, env, logger } = options;
  try {
    const command = toolkit.getInput("command").trim() || "up";
    if (!(ACTION_COMMANDS as readonly string[]).includes(command)) {
      throw new PaddockError("USAGE", `input command "${command}" is not supported`, { hint: `use one of: ${ACTION_COMMANDS.join(", ")}` });
    }
    await runUp({ toolkit, env, logger });
  } catch (error) {
    toolkit.setFailed(error instanceof Error ? error.message : `Paddock failed: ${String(error)}`);
  }
}

async function runUp(options: { toolkit: ActionToolkit; env: NodeJS.ProcessEnv; logger: Logger }): Promise<void> {
  const { toolkit, env, logger } = options;
  const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  if (!env.GITHUB_EVENT_PATH) throw new PaddockError("USAGE", "GITHUB_EVENT_PATH is not set", { hint: "run the Action in a GitHub Actions workflow" });

  // 1. Inputs.
  const event = readPullRequestPayload({ event: eventName, path: env.GITHUB_EVENT_PATH, cwd: workspace });
  const config = readConfigFlag({ path: toolkit.getInput("config").trim() || ".github/paddock.yml", cwd: workspace });
  const policyPath = toolkit.getInput("org-policy").trim();
  const { policy, source } = readPolicyFlag({ path: policyPath === "" ? undefined : policyPath, cwd: workspace });

  // 2. Run on the checkout of the head commit.
  const view = await runLocalPipeline({
    event,
    config,
    policy,
    policySource: source,
    repositoryDir: workspace,
    sha: event.pullRequest.headSha,
    stateDir: join(env.RUNNER_TEMP ?? workspace, "paddock"),
    sandbox: "bwrap",
    notes: [],
    signal: new AbortController().signal,
    logger,
    onProgress: async (progress) => {
      const running = progress.steps.find((step) => step.status === "running");
      if (running) toolkit.info(`paddock: step ${running.name} running`);
    },
  });

  // 3. Outputs, summary and annotations.
  const rendered = renderCheckRun(view);
  toolkit.setOutput("environment", view.environmentName);
  toolkit.setOutput("conclusion", rendered.conclusion ?? "neutral");
  await toolkit.writeSummary(`## ${rendered.title}\n\n${rendered.summary}\n\n${rendered.text}\n`);
  rendered.annotations.forEach((annotation: CheckAnnotation) =>
    toolkit.error(annotation.message, { file: annotation.path, startLine: annotation.start_line, ...(annotation.title ? { title: annotation.title } : {}) }),
  );
  if (rendered.conclusion !== "success" && rendered.conclusion !== "neutral") {
    toolkit.setFailed(`Paddock pipeline concluded ${rendered.conclusion}: ${rendered.title}`);
  }
}
