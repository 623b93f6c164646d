import { run, type ApplicationFunction, type Probot, type ProbotOctokit } from "probot";
import type { Logger } from "pino";

import { findFreeLoopbackPort } from "./find-free-loopback-port.ts";
import { receiveWithProbot } from "./receive-front-deliveries.ts";
import { startWebhookFront, type WebhookFront } from "./start-webhook-front.ts";
import type { WebhookFrontLimits } from "./webhook-front-limits.ts";

/** Probot's webhook secret when WEBHOOK_SECRET is unset (probot 14.3's `defaultWebhookSecret`). */
const PROBOT_DEFAULT_WEBHOOK_SECRET = "development";

/**
 * Runs a Probot app as Probot's `run` does, with its setup mode, but puts its server on a free
 * port of 127.0.0.1 and the webhook front on the public HOST and PORT (Probot's defaults:
 * localhost and 3000). The front accepts webhooks on its own thread and hands them to this
 * Probot instance. It forwards every other request to Probot's server, and in setup mode (no
 * app id or key yet) every request.
 */
export async function runProbotBehindFront(options: {
  appFn: ApplicationFunction;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  Octokit: typeof ProbotOctokit;
  limits: WebhookFrontLimits;
  onFailure: (error: Error) => void;
}): Promise<WebhookFront> {
  const internalPort = await findFreeLoopbackPort();
  let probot: Probot | undefined;
  const appFn: ApplicationFunction = (app, appOptions) => {
    probot = app;
    return options.appFn(app, appOptions);
  };
  // In setup mode Probot never calls the app function, so `probot` stays unset.
  // NOTE: with WEBHOOK_PROXY_URL, Probot's webhook proxy client posts to its own server here, so
  // those deliveries skip the front's queue bounds. The size limit and signature check still apply.
  await run(appFn, { env: { ...options.env, HOST: "127.0.0.1", PORT: String(internalPort) }, log: options.logger, Octokit: options.Octokit });

  const front = await startWebhookFront({
    host: options.env.HOST ?? "localhost",
    port: Number(options.env.PORT) || 3000,
    path: probot?.webhookPath ?? "/api/github/webhooks",
    secret: probot ? options.env.WEBHOOK_SECRET || PROBOT_DEFAULT_WEBHOOK_SECRET : null,
    upstream: `http://127.0.0.1:${internalPort}`,
    limits: options.limits,
    logger: options.logger,
    receive: probot ? receiveWithProbot(probot) : () => Promise.resolve(),
    onFailure: options.onFailure,
  });
  // Probot's setup-mode welcome lines name its own server's internal address.
  if (!probot) options.logger.info({ url: front.url }, "Probot setup mode: open this URL, the public one, to register the GitHub App");
  return front;
}
