/**
 * Runs one app under the intake benchmark in a process of its own, so the load generator does
 * not share its event loop. The app is Paddock (`--app paddock`), behind its webhook front
 * thread as in production, or a stock Probot app whose handler does nothing (`--app empty`) on
 * Probot's HTTP server, each on a free loopback port and logging at info to /dev/null. Prints one JSON line with the webhook URL, and exits when stdin closes
 * or after 15 minutes at most.
 *
 *   node --import tsx bench/support/intake-target.ts --app paddock --github http://127.0.0.1:PORT
 */
import { parseArgs } from "node:util";

import pino from "pino";

import { createPaddockOctokit } from "../../src/github/paddock-octokit.ts";
import { readWebhookFrontLimits } from "../../src/github/webhook-front-limits.ts";
import { startEmptyProbotServer, startPaddockServer } from "../../test/loopback-github/paddock-server.ts";

const { values } = parseArgs({ options: { app: { type: "string" }, github: { type: "string" } } });
if ((values.app !== "paddock" && values.app !== "empty") || !values.github?.startsWith("http://127.0.0.1:")) {
  throw new Error("pass --app paddock or --app empty, and --github with the loopback GitHub's http://127.0.0.1 URL");
}

// Paddock's front reads its bounds from PADDOCK_WEBHOOK_* as app/main.ts does, so a run can change them.
const options = { baseUrl: values.github, Octokit: createPaddockOctokit(), logDestination: pino.destination({ dest: "/dev/null", sync: false }), frontLimits: readWebhookFrontLimits(process.env) };
const server = values.app === "paddock" ? await startPaddockServer(options) : await startEmptyProbotServer(options);
process.stdout.write(`${JSON.stringify({ webhookUrl: server.webhookUrl })}\n`);

process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 15 * 60 * 1000);
