import { generateKeyPairSync } from "node:crypto";

import { pino, type Level } from "pino";
import { Probot, ProbotOctokit, type ApplicationFunction } from "probot";

import { FAKE_APP_ID } from "./fake-github-types.ts";
import type { WebhookName, WebhookPayload } from "./webhook-examples.ts";

/** One captured pino line; `level` is the label ("info", "error", ...). */
export interface CapturedLogLine {
  level: string;
  msg?: string;
  [field: string]: unknown;
}

/** Options of `createTestProbot`. */
export interface TestProbotOptions {
  appFn: ApplicationFunction;
  /** Defaults to `FAKE_APP_ID`, the id the fake GitHub puts into check runs. */
  appId?: number;
  /** Lowest level captured; defaults to "debug", which includes Probot's request lines. */
  logLevel?: Level;
}

/** A loaded Probot app, its captured log lines, and a way to deliver webhooks to it. */
export interface TestProbot {
  probot: Probot;
  logs: CapturedLogLine[];
  /** Delivers one event to the app; `id` (the delivery id) defaults to `delivery-<n>`. */
  receive<TName extends WebhookName>(event: { name: TName; payload: WebhookPayload<TName>; id?: string }): Promise<void>;
}

/**
 * Retries and throttling would turn one injected failure into several requests and waits.
 * Probot 14.3.2 passes its own throttle options (without `enabled`) to the Octokit class it is
 * given, and a plain `ProbotOctokit.defaults({ throttle: { enabled: false } })` object loses
 * to them: the throttler then spaces write requests one second apart. A defaults function
 * runs after Probot's options are merged, so it has the last word.
 */
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

let privateKey: string | undefined;

// One throwaway key per process: generating a 2048-bit RSA key takes tens of milliseconds.
function throwawayPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  }).privateKey;
  return privateKey;
}

/**
 * Creates Probot 14 for tests and loads `appFn`: a throwaway RSA key, retries and throttling
 * off, and a pino logger whose lines land in `logs`. Requests go to api.github.com, so start
 * the fake GitHub first.
 */
export async function createTestProbot(options: TestProbotOptions): Promise<TestProbot> {
  const logs: CapturedLogLine[] = [];
  const log = pino(
    { level: options.logLevel ?? "debug", formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => logs.push(JSON.parse(line) as CapturedLogLine) },
  );

  const probot = new Probot({
    appId: options.appId ?? FAKE_APP_ID,
    privateKey: throwawayPrivateKey(),
    Octokit: TestOctokit,
    log,
  });
  await probot.load(options.appFn);

  let deliveries = 0;
  return {
    probot,
    logs,
    async receive(event) {
      deliveries += 1;
      const id = event.id ?? `delivery-${deliveries}`;
      // Probot's event type is a union over all names; this object is one member of it.
      await probot.receive({ id, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);
    },
  };
}
