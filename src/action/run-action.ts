import { resolve } from "node:path";
import { Octokit } from "@octokit/rest";
import type { Logger } from "pino";
import { describeError } from "../errors.ts";
import { readLogMaxBytes } from "../providers/local/capped-log.ts";
import { createAuditTrailFromEnv } from "../service/create-audit-trail-from-env.ts";
import type { ActionContext, ActionOctokit } from "./action-context.ts";
import { readActionInputs, type ActionInputs } from "./action-inputs.ts";
import type { ActionToolkit } from "./action-toolkit.ts";
import { runAuditVerifyCommand } from "./audit-verify-command.ts";
import { createActionProvider, type ActionProviderFactory } from "./create-action-provider.ts";
import { runDownCommand } from "./down-command.ts";
import { findKubeconfigSecrets } from "./kubeconfig-secrets.ts";
import { writeKubeconfigFile } from "./kubeconfig-file.ts";
import { prepareRunnerTemp } from "./prepare-runner-temp.ts";
import { readActionEvent } from "./read-action-event.ts";
import { runStatusCommand } from "./status-command.ts";
import { runUpCommand } from "./up-command.ts";

export type { ActionToolkit } from "./action-toolkit.ts";

/** Dependencies the entry point wires in; tests replace the GitHub client and the provider. */
export interface ActionDependencies {
  /** Creates the GitHub client for the `github-token` input and GITHUB_API_URL; defaults to @octokit/rest over the global fetch. */
  createOctokit?: (options: { token: string; baseUrl: string }) => ActionOctokit | Promise<ActionOctokit>;
  createProvider?: ActionProviderFactory;
  now?: () => Date;
}

/**
 * Runs the Action. The token and the kubeconfig's credentials are masked before anything else
 * runs. Then the inputs are read and the command runs: `up`, `down` and `status` on the
 * workflow event's environment, `audit-verify` on a checkout of the audit repository. Every
 * failure ends in `setFailed`, including throws that are not Errors.
 */
export async function runAction(options: {
  toolkit: ActionToolkit;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Aborted when the workflow run is cancelled; never aborted when left out. */
  signal?: AbortSignal;
  dependencies?: ActionDependencies;
}): Promise<void> {
  const { toolkit, env } = options;
  try {
    maskSecretInputs(toolkit);
    const inputs = readActionInputs(toolkit.getInput);
    const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
    if (inputs.command === "audit-verify") await runAuditVerifyCommand({ inputs, workspace, toolkit });
    else await runEnvironmentCommand({ ...options, signal: options.signal ?? new AbortController().signal, dependencies: options.dependencies ?? {}, inputs, workspace });
  } catch (error) {
    toolkit.setFailed(error instanceof Error ? error.message : `Paddock failed: ${describeError(error)}`);
  }
}

function maskSecretInputs(toolkit: ActionToolkit): void {
  const token = toolkit.getInput("github-token");
  if (token) toolkit.setSecret(token);
  const kubeconfig = toolkit.getInput("kubeconfig");
  if (kubeconfig) findKubeconfigSecrets(kubeconfig).forEach((secret) => toolkit.setSecret(secret));
}

async function runEnvironmentCommand(options: {
  toolkit: ActionToolkit;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  signal: AbortSignal;
  dependencies: ActionDependencies;
  inputs: ActionInputs;
  workspace: string;
}): Promise<void> {
  const { toolkit, env, logger, dependencies, inputs } = options;
  const event = readActionEvent(env);
  // The input takes precedence over the variable, so a workflow can set the cap for one step.
  const logMaxBytes = inputs.logMaxBytes ?? readLogMaxBytes(env);
  const { runnerTemp, stateDir } = await prepareRunnerTemp(env);
  const kubeconfig = inputs.kubeconfig === undefined ? undefined : await writeKubeconfigFile({ text: inputs.kubeconfig, directory: runnerTemp });

  try {
    const createProvider = dependencies.createProvider ?? createActionProvider;
    const createOctokit = dependencies.createOctokit ?? (({ token, baseUrl }) => new Octokit({ auth: token, baseUrl }));
    const context: ActionContext = {
      inputs,
      event,
      env,
      toolkit,
      logger,
      signal: options.signal,
      workspace: options.workspace,
      stateDir,
      provider: await createProvider({ kubeconfigPath: kubeconfig?.path, stateDir, logger, logMaxBytes }),
      octokit: inputs.githubToken ? await createOctokit({ token: inputs.githubToken, baseUrl: env.GITHUB_API_URL || "https://api.github.com" }) : undefined,
      trail: await createAuditTrailFromEnv({ env, stateDir, logger }),
      now: dependencies.now ?? (() => new Date()),
    };
    if (inputs.command === "up") await runUpCommand(context);
    else if (inputs.command === "down") await runDownCommand(context);
    else await runStatusCommand(context);
  } finally {
    await kubeconfig?.remove();
  }
}
