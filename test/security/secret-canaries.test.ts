import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runAction, type ActionToolkit } from "../../src/action/run-action.ts";
import type { AuditTrail } from "../../src/service/audit-trail.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload } from "../loopback-github/webhook-payloads.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { serveAuditRepository } from "./support/loopback-audit.ts";
import { probeConfig, readProbeFindings } from "./support/probe-step.ts";
import { UNTHROTTLED_OCTOKIT, runProbe } from "./support/run-probe.ts";

/** Secrets planted where Paddock reads them; none may come out anywhere Paddock writes. */
const CANARIES = {
  processEnv: "CANARYPROCESSENV7f3a91",
  processToken: "ghs_CANARYPROCESSTOKEN0123456789abcdef",
  webhookSecret: "CANARYWEBHOOKSECRET5b2e",
  config: "CANARYCONFIGVALUE4c8d02",
  payload: "CANARYPAYLOADFIELD9e1f7a",
} as const;

/** The app's own environment, as an operator would set it; the in-process app shares it with the test. */
const PLANTED_ENV = { PADDOCK_CANARY_SECRET: CANARIES.processEnv, GITHUB_TOKEN: CANARIES.processToken, WEBHOOK_SECRET: CANARIES.webhookSecret };

/** A probe step with the config canary in its environment, then a step that prints a line and fails. */
const CANARY_CONFIG = `${probeConfig({ stepEnv: { DEPLOY_TOKEN: CANARIES.config } })}  - name: build\n    run: echo building widgets; exit 1\n`;

function plantPayloadCanaries(payload: Record<string, unknown>): void {
  (payload.pull_request as Record<string, unknown>).body = `Please review. ${CANARIES.payload}`;
  payload.secret = CANARIES.payload;
}

/** Reads every file under `directory` except the checkouts, which hold what the step itself wrote. */
function readStateFiles(directory: string): string {
  const texts: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (relative(directory, path).split("/").includes("checkouts")) continue;
      if (statSync(path).isDirectory()) walk(path);
      else texts.push(readFileSync(path, "utf8"));
    }
  };
  walk(directory);
  return texts.join("\n");
}

describe("secret canaries through the app", () => {
  const saved = { ...process.env };
  let github: LoopbackGitHub;
  let app: PaddockUnderTest;
  let trail: AuditTrail | undefined;
  let surfaces: Record<string, string>;
  let stepEnvironment: string;
  let ledger: ReturnType<typeof serveAuditRepository>["repository"];

  beforeAll(async () => {
    Object.assign(process.env, PLANTED_ENV);
    github = await startLoopbackGitHub();
    const stateDir = mkdtempSync(join(tmpdir(), "paddock-canary-"));
    const audit = serveAuditRepository(github, stateDir);
    ledger = audit.repository;
    app = await startPaddockServer({
      baseUrl: github.baseUrl,
      stateDir,
      Octokit: UNTHROTTLED_OCTOKIT,
      logLevel: "debug",
      audit: async (logger) => (trail = await audit.createTrail(logger)),
    });

    const { run, checkout } = await runProbe({ github, app, config: CANARY_CONFIG, patchPayload: plantPayloadCanaries });
    await trail?.flush();
    expect(run?.conclusion).toBe("failure");

    stepEnvironment = readProbeFindings(checkout!).envText;
    surfaces = {
      logs: JSON.stringify(app.logs),
      "GitHub requests": JSON.stringify(github.calls.map((call) => [call.path, call.body])),
      "check runs": JSON.stringify(github.checkRuns()),
      "audit ledger": [...ledger.files().values()].join("\n"),
      "state files": readStateFiles(stateDir),
    };
  }, 120_000);

  afterAll(async () => {
    await app.stop();
    await github.close();
    for (const name of Object.keys(PLANTED_ENV)) delete process.env[name];
    Object.assign(process.env, saved);
    github.assertNoViolations();
  });

  it("records the run in the audit ledger", () => {
    expect(surfaces["audit ledger"]).toContain('"action"');
    expect(ledger.history().length).toBeGreaterThan(1);
  });

  it.each(Object.entries(CANARIES))("never shows the %s canary", (_kind, canary) => {
    const leaks = Object.entries(surfaces).filter(([, text]) => text.includes(canary)).map(([where]) => where);

    expect(leaks).toEqual([]);
  });

  it("never shows an installation token", () => {
    const tokens = github.tokens.issued();
    const leaks = Object.entries(surfaces).filter(([, text]) => tokens.some((token) => text.includes(token))).map(([where]) => where);

    expect(tokens.length).toBeGreaterThan(1);
    expect(leaks).toEqual([]);
  });

  it("keeps the app's environment and tokens out of the sandbox", () => {
    const leaked = [CANARIES.processEnv, CANARIES.processToken, CANARIES.webhookSecret, ...github.tokens.issued()].filter((secret) => stepEnvironment.includes(secret));

    expect(leaked).toEqual([]);
    expect(stepEnvironment).toContain(`DEPLOY_TOKEN=${CANARIES.config}`);
  });
});

describe("secret canaries through the Action", () => {
  it("never reach the job summary, annotations or messages", async () => {
    const sample = createSampleRepository({ files: { ".github/paddock.yml": CANARY_CONFIG } });
    const runnerTemp = mkdtempSync(join(tmpdir(), "paddock-action-canary-"));
    const eventPath = join(runnerTemp, "event.json");
    const payload = buildPullRequestPayload({ action: "opened", owner: "acme", repo: "widgets", repositoryId: 4242, installationId: 77, number: 1, headSha: sample.sha }) as unknown as Record<string, unknown>;
    plantPayloadCanaries(payload);
    writeFileSync(eventPath, JSON.stringify(payload));
    const shown: string[] = [];
    const toolkit: ActionToolkit = {
      getInput: (name) => (name === "command" ? "up" : ""),
      setOutput: (name, value) => shown.push(`${name}=${value}`),
      setSecret: () => undefined,
      setFailed: (message) => shown.push(message),
      info: (message) => shown.push(message),
      error: (message, properties) => shown.push(`${properties.title ?? ""} ${message}`),
      warning: (message, properties) => shown.push(`${properties.title ?? ""} ${message}`),
      notice: (message, properties) => shown.push(`${properties.title ?? ""} ${message}`),
      writeSummary: async (markdown) => void shown.push(markdown),
    };
    const env = { ...PLANTED_ENV, GITHUB_WORKSPACE: sample.directory, GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: eventPath, RUNNER_TEMP: runnerTemp };

    await runAction({ toolkit, logger: pino({ level: "silent" }), env });
    const text = shown.join("\n");

    expect(text).toContain("building widgets");
    expect(Object.values(CANARIES).filter((canary) => text.includes(canary))).toEqual([]);
  });
});
