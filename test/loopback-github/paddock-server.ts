import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pino, { type Logger } from "pino";
import { Probot, Server, type ApplicationFunction, type ProbotOctokit } from "probot";

import { createPaddockApp } from "../../app/paddock-app.ts";
import { findFreeLoopbackPort } from "../../src/github/find-free-loopback-port.ts";
import { receiveWithProbot } from "../../src/github/receive-front-deliveries.ts";
import { startWebhookFront } from "../../src/github/start-webhook-front.ts";
import { readWebhookFrontLimits, type WebhookFrontLimits } from "../../src/github/webhook-front-limits.ts";
import { createPaddockOctokit } from "../../src/github/paddock-octokit.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { createFileGovernance } from "../../src/service/create-governance.ts";
import type { AuditTrail } from "../../src/service/audit-trail.ts";
import { createPaddockService, type PaddockService } from "../../src/service/paddock-service.ts";

/** The webhook secret the loopback suites sign deliveries with. */
export const LOOPBACK_WEBHOOK_SECRET = "loopback-webhook-secret";

/** A Probot HTTP server on 127.0.0.1, as `npm start` runs it, with its captured log lines. */
export interface ProbotUnderTest {
  /** `http://127.0.0.1:<port>/api/github/webhooks`. */
  webhookUrl: string;
  /**
   * Resolves once every delivery acknowledged so far reached the app's handler. Behind the webhook
   * front a 200 comes before the handler runs; a stock Probot server replies after it.
   */
  drained(): Promise<void>;
  /** Every log line, parsed; `level` is the pino label. */
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Paddock's app on a Probot server, with its service and state folder. */
export interface PaddockUnderTest extends ProbotUnderTest {
  service: PaddockService;
  stateDir: string;
}

/** Options shared by both servers. */
export interface ProbotServerOptions {
  /** API origin of the loopback GitHub, Probot's `baseUrl`. */
  baseUrl: string;
  /** Octokit class; the one the app runs with in production (`createPaddockOctokit()`) when unset. */
  Octokit?: typeof ProbotOctokit;
  /** Lowest level captured; `info` when unset. */
  logLevel?: pino.Level | "silent";
  /** Where log lines go instead of `logs`, such as /dev/null in a benchmark; `logs` stays empty then. */
  logDestination?: pino.DestinationStream;
  /** Bounds of Paddock's webhook front; the production defaults when unset. */
  frontLimits?: WebhookFrontLimits;
}

let privateKey: string | undefined;

/** Returns a throwaway 2048-bit RSA key, generated once per process. */
export function throwawayPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs1", format: "pem" } }).privateKey;
  return privateKey;
}

/**
 * Starts Paddock as production runs it: Probot's server on a free loopback port behind the
 * webhook front on another, over a fresh or given state folder.
 */
export async function startPaddockServer(
  options: ProbotServerOptions & {
    stateDir?: string;
    concurrency?: number;
    quietMs?: number;
    sandbox?: "bwrap" | "none";
    sweepIntervalMs?: number;
    /** Builds the audit trail over the app's logger; the service records nothing without it. */
    audit?: (logger: Logger) => Promise<AuditTrail>;
  },
): Promise<PaddockUnderTest> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "paddock-loopback-"));
  const { logger, logs } = createCapturingLogger(options.logLevel ?? "info", options.logDestination);
  const provider = createLocalProvider({ stateDir, logger, sandbox: options.sandbox ?? "bwrap" });
  const service = createPaddockService({
    provider,
    logger,
    governance: createFileGovernance({ stateDir }),
    ...(options.audit ? { audit: await options.audit(logger) } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.quietMs !== undefined ? { quietMs: options.quietMs } : {}),
  });
  const server = await startProbotServer({ ...options, logger, front: true, appFn: createPaddockApp({ service, ...(options.sweepIntervalMs !== undefined ? { sweepIntervalMs: options.sweepIntervalMs } : {}) }) });
  // A reply from the front comes before the handler ran, so waiting for the service first waits for the front's backlog.
  const drainedService: PaddockService = { ...service, onIdle: async () => (await server.drained(), service.onIdle()) };
  return { ...server, logs, service: drainedService, stateDir };
}

/** Starts a stock Probot app whose only handler does nothing, the baseline of the intake benchmark. */
export async function startEmptyProbotServer(options: ProbotServerOptions): Promise<ProbotUnderTest> {
  const { logger, logs } = createCapturingLogger(options.logLevel ?? "info", options.logDestination);
  const server = await startProbotServer({ ...options, logger, appFn: (app) => app.onAny(async () => undefined) });
  return { ...server, logs };
}

async function startProbotServer(options: ProbotServerOptions & { logger: Logger; appFn: ApplicationFunction; front?: boolean }): Promise<Omit<ProbotUnderTest, "logs">> {
  // Probot's Server reads port 0 as "unset" and takes 3000, so a free port is found first.
  const port = await findFreeLoopbackPort();
  let probot: Probot | undefined;
  const server = new Server({
    host: "127.0.0.1",
    port,
    log: options.logger,
    Probot: Probot.defaults({
      appId: 1,
      privateKey: throwawayPrivateKey(),
      secret: LOOPBACK_WEBHOOK_SECRET,
      baseUrl: options.baseUrl,
      log: options.logger,
      Octokit: options.Octokit ?? createPaddockOctokit(),
      request: { fetch: loopbackOnlyFetch },
    }),
  });
  await server.load((app, appOptions) => {
    probot = app;
    return options.appFn(app, appOptions);
  });
  await server.start();
  if (!options.front) return { webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`, drained: () => Promise.resolve(), stop: () => server.stop() };

  // As in production, the webhook front owns the public port and Probot's server sits behind it.
  const front = await startWebhookFront({
    host: "127.0.0.1",
    port: 0,
    path: probot!.webhookPath,
    secret: LOOPBACK_WEBHOOK_SECRET,
    upstream: `http://127.0.0.1:${port}`,
    limits: options.frontLimits ?? readWebhookFrontLimits({}),
    logger: options.logger,
    receive: receiveWithProbot(probot!),
    onFailure: (error) => options.logger.fatal({ err: error }, "webhook front failed"),
  });
  return {
    webhookUrl: `${front.url}${probot!.webhookPath}`,
    drained: () => front.drained(),
    async stop() {
      await front.close();
      await server.stop();
    },
  };
}

/** Fetch that rejects any URL off 127.0.0.1 before it resolves a name, so no suite reaches another host. */
export const loopbackOnlyFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== "127.0.0.1") return Promise.reject(new Error(`request to ${url.origin} blocked: the loopback suites only reach 127.0.0.1`));
  return fetch(input, init);
};

function createCapturingLogger(level: pino.Level | "silent", destination?: pino.DestinationStream): { logger: Logger; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const capture = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  const logger = pino({ level, formatters: { level: (label) => ({ level: label }) } }, destination ?? capture);
  return { logger, logs };
}

export { findFreeLoopbackPort };
