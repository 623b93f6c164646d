import type { Logger } from "pino";
import type { ChecksClient } from "../checks/report-check-run.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import type { Provider } from "../providers/provider.ts";
import type { AuditTrail } from "../service/audit-trail.ts";
import type { ActionEvent } from "./read-action-event.ts";
import type { ActionInputs } from "./action-inputs.ts";
import type { ActionToolkit } from "./action-toolkit.ts";

/** A GitHub client authenticated with the `github-token` input. */
export type ActionOctokit = ChecksClient & GitHubRequester;

/** Everything an environment command works with, built once by runAction. */
export interface ActionContext {
  inputs: ActionInputs;
  event: ActionEvent;
  env: NodeJS.ProcessEnv;
  toolkit: ActionToolkit;
  logger: Logger;
  /** Aborted when the workflow run is cancelled. */
  signal: AbortSignal;
  /** The runner's checkout (GITHUB_WORKSPACE). */
  workspace: string;
  /** Folder of the local provider's environments, the spend ledger and the audit spool, under RUNNER_TEMP. */
  stateDir: string;
  provider: Provider;
  /** Set when the `github-token` input is. */
  octokit: ActionOctokit | undefined;
  trail: AuditTrail;
  now: () => Date;
}

/** Returns the workflow run's page, or "" outside a workflow. */
export function describeRunUrl(env: NodeJS.ProcessEnv): string {
  if (!env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY) return "";
  return `${env.GITHUB_SERVER_URL || "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}
