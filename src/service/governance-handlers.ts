import type { Logger } from "pino";
import type { CheckRunView } from "../checks/check-run-view.ts";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import { readEnvironmentKey } from "../environments/decide-sweep.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import type { ApprovalRequestEvent, PushEvent } from "../github/governance-events.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import { approveAction } from "../policy/decision-view.ts";
import type { LiveVerdict } from "../policy/judge-live-environment.ts";
import type { ListedEnvironment, Provider } from "../providers/provider.ts";
import { approvePullRequest } from "./approve-pull-request.ts";
import { enforcePolicyPush } from "./enforce-policy-push.ts";
import type { Governance } from "./judge-pull-request.ts";
import type { ClientsForEvent, InstallationClients, PaddockService, TeardownAudit } from "./paddock-service.ts";
import type { PreviewRepository } from "./schedule-teardown.ts";
import { isOrgSettingsRepository, reviewPolicyPullRequest } from "./review-policy-pull-request.ts";

/** The service's entry points for approvals and org policy changes. */
export interface GovernanceHandlers {
  /** Verifies an approval and, when it holds, runs the approved head commit. */
  acceptApproval(options: { event: ApprovalRequestEvent; clients: InstallationClients; logger: Logger }): void;
  /**
   * Judges live environments again after the org policy changed on its default branch. With
   * `clientsFor`, a torn-down environment of another installation gets its preview deployment
   * marked inactive through that installation's client.
   */
  acceptPush(options: { event: PushEvent; clients: InstallationClients; logger: Logger; clientsFor?: ClientsForEvent }): void;
  /** Reviews a pull request on the org's `.github` repository that changes the org policy. */
  reviewPolicy(options: { event: PullRequestEvent; clients: InstallationClients; logger: Logger }): void;
}

/** Builds the handlers over the service's provider, queue entry points and records. */
export function createGovernanceHandlers(options: {
  provider: Provider;
  governance: Governance;
  now: () => Date;
  track: <T>(promise: Promise<T>) => Promise<T>;
  runPullRequest: (options: { event: PullRequestEvent; clients: InstallationClients; logger: Logger; rerun?: boolean }) => void;
  teardown: (options: Parameters<PaddockService["acceptTeardown"]>[0]) => void;
}): GovernanceHandlers {
  const { provider, governance, now, track } = options;
  return {
    acceptApproval({ event, clients, logger }) {
      const work = approvePullRequest({ event, octokit: clients.octokit, approvals: governance.approvals, now: now(), logger }).then(async (outcome) => {
        if (outcome.kind === "approved") options.runPullRequest({ event: outcome.event, clients, logger, rerun: true });
        else if (outcome.kind === "ignored") logger.info({ reason: outcome.reason }, "approval request ignored");
        else {
          logger.info({ pullRequest: outcome.pullRequest, detail: outcome.message }, "approval rejected");
          await clients.sink.createCompleted(rejectedApprovalView({ event, pullRequest: outcome.pullRequest, headSha: outcome.headSha, message: outcome.message, provider: provider.kind }));
        }
      });
      track(work).catch((error: unknown) => logger.error({ err: error }, "handling the approval failed"));
    },

    acceptPush({ event, clients, logger, clientsFor }) {
      // The judged listing is kept, so each teardown finds its environment's key and annotations in it.
      const listed = new Map<string, ListedEnvironment>();
      const listEnvironments = async (): Promise<ListedEnvironment[]> => {
        const environments = await provider.listEnvironments();
        for (const environment of environments) listed.set(environment.name, environment);
        return environments;
      };
      // The push's installation is the org's. An environment another account's installation recorded
      // needs that installation's client to reach its preview deployment.
      const github = async ({ owner, repo, installationId }: PreviewRepository): Promise<GitHubRequester | undefined> => {
        if (installationId === undefined || installationId === event.installationId) return clients.octokit;
        return clientsFor ? (await clientsFor({ installationId, repository: { owner, name: repo } })).octokit : undefined;
      };
      const teardown = (verdict: LiveVerdict) => {
        const environment = listed.get(verdict.name);
        const key = (environment ? readEnvironmentKey(environment) : undefined) ?? fallbackKey(verdict);
        const audit: TeardownAudit = {
          actor: event.sender,
          repository: { id: key.repositoryId, fullName: verdict.repository },
          pullRequest: "pullRequest" in key ? key.pullRequest : null,
          reason: "policy",
          deliveryId: event.deliveryId,
        };
        options.teardown({ key, environmentName: verdict.name, reason: "policy", logger, audit, github, ...(environment ? { environment } : {}) });
      };
      const work = enforcePolicyPush({ event, octokit: clients.octokit, listEnvironments, teardown, now, logger }).then((handled) => {
        if (!handled) logger.info({ reason: "not an org policy change" }, "push ignored");
      });
      track(work).catch((error: unknown) => logger.error({ err: error }, "enforcing the changed org policy failed"));
    },

    reviewPolicy({ event, clients, logger }) {
      if (!isOrgSettingsRepository(event.repository) || event.action === "closed") return;
      const work = reviewPolicyPullRequest({ event, octokit: clients.octokit, listEnvironments: () => provider.listEnvironments(), now, logger });
      track(work).catch((error: unknown) => logger.error({ err: error }, "reviewing the org policy change failed"));
    },
  };
}

/** Returns a key of the environment's own name when its labels name none, so its teardown pre-empts nothing else. */
function fallbackKey(verdict: LiveVerdict): EnvironmentKey {
  return { repositoryId: verdict.repositoryId ?? 0, branch: `policy/${verdict.name}` };
}

function rejectedApprovalView(options: { event: ApprovalRequestEvent; pullRequest: number; headSha: string; message: string; provider: Provider["kind"] }): CheckRunView {
  const { event, pullRequest, headSha, message } = options;
  return {
    environmentName: nameEnvironment({ repositoryName: event.repository.name, key: { repositoryId: event.repository.id, pullRequest } }),
    headSha,
    provider: options.provider,
    status: "completed",
    conclusion: "action_required",
    headline: `Approval rejected: ${message}`,
    steps: [],
    configProblems: [],
    notes: [],
    actions: [approveAction(pullRequest)],
  };
}
