import type { ApplicationFunction, Context } from "probot";
import { createCheckRunReporter } from "../src/checks/report-check-run.ts";
import { guardProbotWebhooks } from "../src/github/guard-probot-webhooks.ts";
import { DEFAULT_WEBHOOK_MAX_BYTES } from "../src/github/webhook-body-limit.ts";
import { InstallationClients } from "../src/github/installation-clients.ts";
import { parseWebhookEvent } from "../src/github/webhook-event.ts";
import type { ReplicaCoordination } from "../src/replicas/replica-coordination.ts";
import type { InstallationClients as ServiceClients, PaddockService } from "../src/service/paddock-service.ts";
import { createRepositoryTokenMinter } from "./mint-repository-token.ts";
import { startSweeper } from "./start-sweeper.ts";

/**
 * The Probot app: one handler for every delivery. It parses the event, logs and ignores what
 * Paddock does not handle, and hands the rest to the service without waiting for the work.
 * On Probot's own server, webhook bodies over `webhookMaxBytes` (25 MiB by default) are
 * rejected with 413 unread, and bodies with a missing or wrong signature with 401 and one warn
 * line. The webhook front that app/main.ts puts before that server checks the same. With
 * `replicas`, it starts the Lease rounds, and the sweeper runs only while this replica holds the
 * sweeper Lease.
 */
export function createPaddockApp(options: { service: PaddockService; sweepIntervalMs?: number; webhookMaxBytes?: number; replicas?: ReplicaCoordination }): ApplicationFunction {
  return (app) => {
    const installationClients = new InstallationClients<Context["octokit"]>();
    guardProbotWebhooks(app, { maxBytes: options.webhookMaxBytes ?? DEFAULT_WEBHOOK_MAX_BYTES });
    const { replicas } = options;
    if (options.sweepIntervalMs !== undefined) {
      startSweeper({ app, service: options.service, intervalMs: options.sweepIntervalMs, ...(replicas ? { isSweeper: () => replicas.isSweeper() } : {}) });
    }
    // Work resumed or handed over from another replica has no webhook context, so its clients come from
    // the installation id. A policy teardown uses them for environments of other installations too.
    const clientsFor = async (event: { installationId: number | null; repository: { owner: string; name: string } }): Promise<ServiceClients> => {
      const octokit = installationClients.clientFor(event.installationId ?? 0, await app.auth(event.installationId ?? undefined));
      const logger = app.log.child({ repo: `${event.repository.owner}/${event.repository.name}` });
      const sink = createCheckRunReporter({ octokit, owner: event.repository.owner, repo: event.repository.name, logger });
      return { octokit, sink, mintRepositoryToken: createRepositoryTokenMinter({ octokit, repo: event.repository.name }) };
    };
    if (replicas) replicas.start({ service: options.service, clientsFor });

    // Probot passes a Context to every handler; onAny's declared type omits it.
    app.onAny(async (anyContext) => {
      const context = anyContext as unknown as Context;
      const repository = (context.payload as { repository?: { full_name?: string } }).repository?.full_name;
      const logger = context.log.child({ deliveryId: context.id, event: context.name, repo: repository });
      const parsed = parseWebhookEvent({ name: context.name, id: context.id, payload: context.payload });
      if (!("event" in parsed)) {
        // An event Paddock does not handle is routine, but an invalid payload of a signed delivery is not.
        if (parsed.reason === "invalid") logger.warn({ reason: parsed.reason, detail: parsed.message }, "webhook ignored");
        else logger.info({ reason: parsed.reason, detail: parsed.message }, "webhook ignored");
        return;
      }

      const { event } = parsed;
      if (event.installationId === null) {
        logger.warn({ reason: "invalid", detail: "payload has no installation, so Paddock cannot act on the repository" }, "webhook ignored");
        return;
      }
      const octokit = installationClients.clientFor(event.installationId, context.octokit);
      const sink = createCheckRunReporter({ octokit, owner: event.repository.owner, repo: event.repository.name, logger });
      const clients = { octokit, sink, mintRepositoryToken: createRepositoryTokenMinter({ octokit, repo: event.repository.name }) };
      if (event.kind === "pull_request") options.service.acceptPullRequest({ event, clients, logger });
      else if (event.kind === "check_run_rerequested") options.service.acceptRerequest({ event, clients, logger });
      else if (event.kind === "approval_request") options.service.acceptApproval({ event, clients, logger });
      else options.service.acceptPush({ event, clients, logger, clientsFor });
    });
  };
}
