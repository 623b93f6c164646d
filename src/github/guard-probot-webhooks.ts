import type { Probot } from "probot";

import { limitWebhookBodies } from "./webhook-body-limit.ts";
import { rejectBadWebhookSignatures } from "./webhook-signature-check.ts";

/**
 * Guards the webhook endpoint of one Probot instance by wrapping the middleware its
 * `getNodeMiddleware` returns: bodies over `maxBytes` get 413 (see `limitWebhookBodies`), and
 * bodies with a missing or wrong signature get 401 with one warn line (see
 * `rejectBadWebhookSignatures`).
 * Call it from the app function: Probot's `Server.start()` and `createNodeMiddleware()` both
 * load the app before they ask the instance for its middleware.
 */
export function guardProbotWebhooks(probot: Probot, options: { maxBytes: number }): void {
  const getNodeMiddleware = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (middlewareOptions = {}) => {
    const middleware = await getNodeMiddleware(middlewareOptions);
    const path = middlewareOptions.path ?? probot.webhookPath;
    const log = middlewareOptions.log ?? probot.log;
    // `probot.webhooks` exists once getNodeMiddleware has initialized the instance; its verify uses the app's webhook secret.
    const webhooks = probot.webhooks;
    const signed = rejectBadWebhookSignatures(middleware, { path, log, verify: (body, signature) => webhooks.verify(body, signature) });
    return limitWebhookBodies(signed, { path, maxBytes: options.maxBytes, log });
  };
}
