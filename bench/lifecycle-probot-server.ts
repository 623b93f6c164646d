import type pino from "pino";
import { Probot, Server } from "probot";

import { createPaddockOctokit } from "../src/github/paddock-octokit.ts";
import { receiveWithProbot } from "../src/github/receive-front-deliveries.ts";
import { startWebhookFront } from "../src/github/start-webhook-front.ts";
import { readWebhookFrontLimits } from "../src/github/webhook-front-limits.ts";
import { findFreeLoopbackPort, LOOPBACK_WEBHOOK_SECRET, loopbackOnlyFetch, throwawayPrivateKey } from "../test/loopback-github/paddock-server.ts";

/** An app function as Probot's `Server.load` takes it. */
export type LoadableApp = Parameters<Server["load"]>[0];

/**
 * Starts Probot's own HTTP server on a free port of 127.0.0.1 with Paddock's Octokit class,
 * pointed at a loopback GitHub, loads the apps, and puts the webhook front thread in front of it
 * on another free port, as app/main.ts does, so the process's memory includes the front. With
 * `front: false`, webhooks go straight to Probot's server, to compare the memory without it. With
 * `throttle` off, Octokit's throttling is disabled, so the figures show the app's own requests. Production runs with it on, which
 * spaces one installation's writes at least one second apart.
 */
export async function startProbotServer(options: { baseUrl: string; logger: pino.Logger; throttle: boolean; front?: boolean; apps: LoadableApp[] }): Promise<{ webhookUrl: string; stop: () => Promise<void> }> {
  // Probot's Server reads port 0 as "unset" and takes 3000, so a free port is found first.
  const port = await findFreeLoopbackPort();
  const paddockOctokit = createPaddockOctokit();
  // A subclass's defaults function runs before its parent's, and the parent keeps `enabled: false`.
  const Octokit = options.throttle ? paddockOctokit : paddockOctokit.defaults((instance: Record<string, unknown>) => ({ ...instance, throttle: { ...(instance.throttle as object), enabled: false } }));
  const server = new Server({
    host: "127.0.0.1",
    port,
    log: options.logger,
    Probot: Probot.defaults({ appId: 1, privateKey: throwawayPrivateKey(), secret: LOOPBACK_WEBHOOK_SECRET, baseUrl: options.baseUrl, log: options.logger, Octokit, request: { fetch: loopbackOnlyFetch } }),
  });
  let probot: Probot | undefined;
  await server.load((app) => void (probot = app));
  for (const app of options.apps) await server.load(app);
  await server.start();
  if (options.front === false) return { webhookUrl: `http://127.0.0.1:${port}${probot!.webhookPath}`, stop: () => server.stop() };
  const front = await startWebhookFront({
    host: "127.0.0.1",
    port: 0,
    path: probot!.webhookPath,
    secret: LOOPBACK_WEBHOOK_SECRET,
    upstream: `http://127.0.0.1:${port}`,
    limits: readWebhookFrontLimits({}),
    logger: options.logger,
    receive: receiveWithProbot(probot!),
    onFailure: (error) => {
      options.logger.fatal({ err: error }, "webhook front failed");
      process.exit(1);
    },
  });
  return {
    webhookUrl: `${front.url}${probot!.webhookPath}`,
    async stop() {
      await front.close();
      await server.stop();
    },
  };
}
