/**
 * Runs Paddock on a Probot server as its own process, so a test can kill it with SIGKILL and
 * start it again over the same state folder. Reads PADDOCK_TEST_BASE_URL (the loopback GitHub),
 * PADDOCK_STATE_DIR and PADDOCK_SANDBOX, sweeps at start as `npm start` does, and prints one
 * JSON line with the webhook URL once it listens.
 *
 *   node --import tsx test/faults/support/paddock-process.ts
 */
import { createPaddockOctokit } from "../../../src/github/paddock-octokit.ts";
import { startPaddockServer } from "../../loopback-github/paddock-server.ts";

const baseUrl = process.env.PADDOCK_TEST_BASE_URL;
const stateDir = process.env.PADDOCK_STATE_DIR;
if (!baseUrl?.startsWith("http://127.0.0.1:") || !stateDir) {
  throw new Error("PADDOCK_TEST_BASE_URL (a http://127.0.0.1 URL) and PADDOCK_STATE_DIR must be set");
}

const app = await startPaddockServer({
  baseUrl,
  stateDir,
  sandbox: process.env.PADDOCK_SANDBOX === "none" ? "none" : "bwrap",
  // The first sweep runs at start; the interval only has to outlast the test.
  sweepIntervalMs: 10 * 60 * 1000,
  Octokit: createPaddockOctokit({ responseTimeoutMs: 5_000 }),
  logLevel: "info",
});
process.stdout.write(`${JSON.stringify({ webhookUrl: app.webhookUrl })}\n`);

// Log lines go to stdout as JSON after the ready line, for the test to read.
let written = 0;
setInterval(() => {
  for (const line of app.logs.slice(written)) process.stdout.write(`${JSON.stringify(line)}\n`);
  written = app.logs.length;
}, 50);

// Ends with the test that started it: when its stdin closes, or after five minutes at most.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 5 * 60 * 1000);
