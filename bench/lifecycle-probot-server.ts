import type pino from "pino";
import { Probot, Server } from "probot";

import { createPaddockOctokit } from "../src/github/paddock-octokit.ts";
import { findFreeLoopbackPort, LOOPBACK_WEBHOOK_SECRET, loopbackOnlyFetch, throwawayPrivateKey } from "../test/loopback-github/paddock-server.ts";

/** An app function as Probot's `Server.load` takes it. */
export type LoadableApp = Parameters<Server["load"]>[0];

/**
 * Starts Probot's own HTTP server on a free port of 127.0.0.1 with Paddock's Octokit class,
 * pointed at a loopback GitHub, and loads the apps. With `throttle` off, Octokit's throttling is
 * disabled, so the figures show the app's own requests. Production runs with it on, which
 * spaces one installation's writes at least one second apart.
 */
export async function startProbotServer(options: { baseUrl: string; logger: pino.Logger; throttle: boolean; apps: LoadableApp[] }): Promise<{ webhookUrl: string; stop: () => Promise<void> }> {
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
  for (const app of options.apps) await server.load(app);
  await server.start();
  return { webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`, stop: () => server.stop() };
}
