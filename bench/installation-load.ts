/**
 * Sends pull_request.synchronize deliveries for many installations to Paddock's real Probot
 * server, with a loopback GitHub that enforces GitHub's published rate limits. Waits until every
 * pipeline has finished, then prints what the load cost on GitHub's side: writes per built
 * commit (audit ledger included), token mints per installation, and 403 and 429 replies. Each
 * repository's one step (`true`) runs in a bubblewrap sandbox. Everything listens on 127.0.0.1.
 *
 *   node --import tsx bench/installation-load.ts [--events 2000] [--installations 20] [--rate 20]
 */
import { mkdtempSync } from "node:fs";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import pino from "pino";

import { openFileAuditSpool } from "../src/audit/file-audit-spool.ts";
import { createPaddockOctokit } from "../src/github/paddock-octokit.ts";
import { startLoopbackGitHub } from "../test/loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, startPaddockServer } from "../test/loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../test/loopback-github/webhook-payloads.ts";
import { sendWebhook } from "../test/loopback-github/webhook-sender.ts";
import { serveAuditRepository } from "../test/security/support/loopback-audit.ts";
import { createSampleRepository } from "../test/support/sample-repository.ts";
import { summarizeLoad } from "./support/load-summary.ts";
import { buildPushSchedule } from "./support/push-schedule.ts";

const CONFIG = "steps:\n  - name: check\n    run: \"true\"\n    timeout: 1m\n";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "2000" },
    installations: { type: "string", default: "20" },
    "pull-requests": { type: "string", default: "10" },
    rate: { type: "string", default: "20" },
    "burst-every": { type: "string", default: "5" },
    "burst-size": { type: "string", default: "4" },
    "drain-timeout-s": { type: "string", default: "3600" },
  },
});
const events = positiveInteger("events");
const installations = positiveInteger("installations");
const pullRequests = positiveInteger("pull-requests");
const rate = positiveInteger("rate");
const drainTimeoutMs = positiveInteger("drain-timeout-s") * 1000;

function positiveInteger(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} ${String(values[name])} is invalid: pass a positive whole number`);
  return value;
}

// 1. The loopback GitHub with GitHub's limits, one repository per installation, and the audit repository.
const github = await startLoopbackGitHub({ limits: true });
const stateDir = mkdtempSync(join(tmpdir(), "paddock-bench-load-"));
const sample = createSampleRepository({ files: { ".github/paddock.yml": CONFIG } });
const repositoryOf = (installation: number) => ({ owner: `org-${installation}`, repo: "service", repositoryId: 10_000 + installation, installationId: 1_000 + installation });
for (let installation = 0; installation < installations; installation += 1) {
  const { owner, repo, repositoryId, installationId } = repositoryOf(installation);
  github.serveRepository({ owner, repo, id: repositoryId, installationId, files: { ".github/paddock.yml": CONFIG }, sourceDirectory: sample.directory });
}
const audit = serveAuditRepository(github, stateDir);

// 2. Paddock as `npm start` runs it: Probot's server, the production Octokit, logs at info.
const app = await startPaddockServer({ baseUrl: github.baseUrl, stateDir, Octokit: createPaddockOctokit(), audit: audit.createTrail, logDestination: pino.destination({ dest: "/dev/null", sync: false }) });

// 3. Deliver the schedule at its times.
const schedule = buildPushSchedule({ events, installations, pullRequests, ratePerSecond: rate, burstEvery: positiveInteger("burst-every"), burstSize: positiveInteger("burst-size") });
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const replies: number[] = [];
const started = performance.now();
await Promise.all(
  schedule.map(async (push, index) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, push.atMs - (performance.now() - started))));
    const target = repositoryOf(push.installation);
    // Each pull request has its own author, so the per-person cap of live environments never bites.
    const sender = { login: `dev-${push.installation}-${push.pullRequest}`, id: 50_000 + push.installation * 100 + push.pullRequest, type: "User" };
    const payload = buildPullRequestPayload({ action: "synchronize", ...target, number: push.pullRequest, headSha: push.headSha, sender });
    github.setPullRequest({ owner: target.owner, repo: target.repo, pullRequest: toServedPullRequest(payload) });
    const reply = await sendWebhook({ url: app.webhookUrl, agent, delivery: { name: "pull_request", id: `load-${index}`, payload, secret: LOOPBACK_WEBHOOK_SECRET } });
    replies.push(reply.status);
  }),
);
const sentMs = performance.now() - started;

// 4. Wait until every pipeline and audit flush has finished, within the drain limit.
const drained = await Promise.race([app.service.onIdle().then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), drainTimeoutMs).unref())]);
const totalMs = performance.now() - started;

// 5. Report.
const summary = summarizeLoad({ github, schedule, installations: Array.from({ length: installations }, (_, index) => repositoryOf(index).installationId), auditRepository: "paddock-audit" });
console.log(`installation load: ${events} events, ${installations} installations, ${pullRequests} pull requests each, ${rate} events/s, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}`);
console.log(`webhook replies: ${replies.filter((status) => status === 200).length} of ${replies.length} were 200; sent in ${(sentMs / 1000).toFixed(1)} s; ${drained ? "drained" : "NOT drained"} after ${(totalMs / 1000).toFixed(1)} s\n`);
for (const [label, value] of summary.rows) console.log(`| ${label} | ${value} |`);
// Every audit record must reach the ledger: none may stay in the spool once the app is idle.
const ledgerRecords = [...audit.repository.files()].filter(([path]) => path.startsWith("records/")).reduce((sum, [, text]) => sum + text.split("\n").filter(Boolean).length, 0);
const spooled = await (await openFileAuditSpool({ directory: join(stateDir, "audit") })).list({ limit: 1_000_000 });
console.log(`| audit records in the ledger | ${ledgerRecords} |`);
console.log(`| audit records left in the spool | ${spooled.length} |`);

await app.stop();
agent.destroy();
await github.close();
process.exit(drained ? 0 : 1);
