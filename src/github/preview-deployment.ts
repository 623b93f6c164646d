import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import type { GitHubRequester } from "./repository-gateway.ts";

/** Annotation with the id of the GitHub deployment of an environment's preview. */
export const PREVIEW_DEPLOYMENT_ANNOTATION = `${LABEL_PREFIX}/deployment-id`;

/** Maximum length of a deployment status description, in characters (GitHub's OpenAPI description, @octokit/openapi 23). */
export const MAX_DEPLOYMENT_DESCRIPTION_CHARACTERS = 140;

/** The states of a deployment status Paddock sets. */
export type PreviewState = "in_progress" | "success" | "failure" | "inactive";

/** The repository deployments are written to, and the hook that counts each write. */
export interface DeploymentTarget {
  octokit: GitHubRequester;
  owner: string;
  repo: string;
  /** Runs each write; the app counts it against the installation's write budget. */
  countWrite?: <T>(write: () => Promise<T>) => Promise<T>;
}

/**
 * Creates the GitHub deployment of an environment's preview and marks it `in_progress`. The
 * deployment is named after the environment, transient, for the head commit, with no merge of
 * the default branch and no required status contexts, so GitHub creates it whatever the
 * commit's checks report. Resolves the deployment id.
 */
export async function createPreviewDeployment(options: DeploymentTarget & { environmentName: string; sha: string }): Promise<number> {
  const { octokit, owner, repo, environmentName, sha } = options;
  const count = options.countWrite ?? ((write) => write());
  const created = await count(() =>
    octokit.request("POST /repos/{owner}/{repo}/deployments", {
      owner,
      repo,
      ref: sha,
      environment: environmentName,
      transient_environment: true,
      production_environment: false,
      auto_merge: false,
      required_contexts: [],
      description: `Paddock preview of ${sha.slice(0, 7)}`,
    }),
  );
  const id = (created.data as { id?: unknown }).id;
  // GitHub returns 202 without an id when it merged the default branch in first; auto_merge false rules that out.
  if (typeof id !== "number") throw new Error(`GitHub created no deployment for ${environmentName} (HTTP ${created.status}); the preview has no "View deployment" link`);
  await setPreviewStatus({ ...options, deploymentId: id, state: "in_progress", description: "Provisioning the environment" });
  return id;
}

/** Sets a deployment status; `environmentUrl` is the preview URL that GitHub's "View deployment" button opens. */
export async function setPreviewStatus(options: DeploymentTarget & { deploymentId: number; state: PreviewState; description: string; environmentUrl?: string }): Promise<void> {
  const { octokit, owner, repo, deploymentId, state, environmentUrl } = options;
  const count = options.countWrite ?? ((write) => write());
  const description = options.description.slice(0, MAX_DEPLOYMENT_DESCRIPTION_CHARACTERS);
  await count(() =>
    octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      owner,
      repo,
      deployment_id: deploymentId,
      state,
      description,
      ...(environmentUrl === undefined ? {} : { environment_url: environmentUrl }),
    }),
  );
}

/** Reads the deployment id an environment's annotations carry; undefined without a valid one. */
export function readPreviewDeploymentId(annotations: Record<string, string>): number | undefined {
  const id = Number(annotations[PREVIEW_DEPLOYMENT_ANNOTATION]);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}
