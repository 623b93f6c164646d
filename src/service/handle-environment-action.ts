import type { Logger } from "pino";
import { describeCutBytes, MAX_CHECK_OUTPUT_BYTES, truncateUtf8 } from "../checks/output-limits.ts";
import { parseDurationSeconds } from "../config/units.ts";
import { extendExpiry } from "../environments/environment-actions.ts";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import { findPullRequestEnvironment } from "../environments/find-environment.ts";
import type { ApprovalRequestEvent } from "../github/governance-events.ts";
import { readCollaboratorRole } from "../github/read-collaborator-role.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import { ACTOR_CLASSES, type ActorClass } from "../policy/actor-class.ts";
import { roleMeetsLevel } from "../policy/describe-decision.ts";
import { fetchOrgPolicy } from "../policy/load-org-policy.ts";
import { POLICY_ANNOTATIONS } from "../policy/policy-annotations.ts";
import { resolveProfile } from "../policy/profile-schema.ts";
import type { Provider } from "../providers/provider.ts";

/** Minimum role that may press Extend or Destroy. */
export const MIN_ENVIRONMENT_ACTION_ROLE = "write";

/** Outcome of pressing Extend or Destroy, as one line for the check run and the log. */
export type EnvironmentActionOutcome = { kind: "extended" | "destroyed" | "rejected" | "ignored"; message: string };

/**
 * Handles the Extend and Destroy buttons of a pull request's check run. The presser's role is
 * read from GitHub. Extend adds the actor profile's default TTL to the expiry, never past its
 * maximum from now; Destroy hands a teardown to the queue.
 */
export async function handleEnvironmentAction(options: {
  event: ApprovalRequestEvent;
  action: { kind: "extend" | "destroy"; pullRequest: number };
  octokit: GitHubRequester;
  provider: Pick<Provider, "listEnvironments" | "annotate">;
  teardown: (request: { key: EnvironmentKey; environmentName: string }) => void;
  now: Date;
  logger: Logger;
}): Promise<EnvironmentActionOutcome> {
  const { event, action, octokit, provider, now } = options;
  const { owner, name: repo } = event.repository;

  // 1. Only people who may push may keep or remove an environment.
  const role = await readCollaboratorRole({ octokit, owner, repo, username: event.sender.login });
  if (!roleMeetsLevel(role, MIN_ENVIRONMENT_ACTION_ROLE)) {
    return { kind: "rejected", message: `${event.sender.login} has the ${role} role, and ${action.kind} needs ${MIN_ENVIRONMENT_ACTION_ROLE} or more` };
  }
  const key: EnvironmentKey = { repositoryId: event.repository.id, pullRequest: action.pullRequest };
  // A pull request that took over its branch's environment is found by its label, not its own name.
  const environment = findPullRequestEnvironment(await provider.listEnvironments(), key);
  const environmentName = environment?.name ?? nameEnvironment({ repositoryName: repo, key });

  // 2. Destroy goes through the queue, like a close.
  if (action.kind === "destroy") {
    options.teardown({ key, environmentName });
    return { kind: "destroyed", message: `Environment ${environmentName} destroyed at the request of ${event.sender.login}` };
  }

  // 3. Extend by the profile's step, within its maximum.
  if (!environment) return { kind: "ignored", message: `environment ${environmentName} no longer exists, so there is nothing to extend` };
  const policy = await fetchOrgPolicy({ octokit, owner });
  if (policy.kind !== "policy") return { kind: "rejected", message: "the org policy could not be read, so the environment was not extended" };
  const written = environment.annotations[POLICY_ANNOTATIONS.actorClass];
  const actorClass: ActorClass = (ACTOR_CLASSES as readonly string[]).includes(written ?? "") ? (written as ActorClass) : "human";
  const profile = resolveProfile({ actorClass, written: policy.policy.profiles[actorClass] });
  const expiresAt = new Date(environment.annotations[`${LABEL_PREFIX}/expires-at`] ?? now.toISOString());
  const extended = extendExpiry({ expiresAt, now, stepSeconds: parseDurationSeconds(profile.ttl.default)!, maxSeconds: parseDurationSeconds(profile.ttl.max)! });
  if (!extended) return { kind: "rejected", message: `environment ${environmentName} already lives as long as the ${actorClass} profile allows (${profile.ttl.max})` };
  await provider.annotate({ environmentName, annotations: { [`${LABEL_PREFIX}/expires-at`]: extended.toISOString() } });
  return { kind: "extended", message: `Environment ${environmentName} extended to ${extended.toISOString()} by ${event.sender.login}` };
}

/** Appends the outcome of a button to its check run's summary, so the person who pressed it can read the outcome. */
export async function reportEnvironmentAction(options: { octokit: GitHubRequester; event: ApprovalRequestEvent; outcome: EnvironmentActionOutcome }): Promise<void> {
  const { octokit, event, outcome } = options;
  if (event.checkRunId === undefined) return;
  const { owner, name: repo } = event.repository;
  const current = (await octokit.request("GET /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner, repo, check_run_id: event.checkRunId })).data as {
    output: { title: string | null; summary: string | null };
  };
  const line = `\n\n**${outcome.kind}:** ${outcome.message}`;
  // The old summary is cut first, so the new line always fits within GitHub's limit.
  const kept = truncateUtf8({ text: current.output.summary ?? "", maxBytes: MAX_CHECK_OUTPUT_BYTES - Buffer.byteLength(line), note: describeCutBytes });
  const summary = `${kept}${line}`;
  await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    owner,
    repo,
    check_run_id: event.checkRunId,
    output: { title: current.output.title ?? "Paddock", summary },
  });
}
