import { createHmac } from "node:crypto";
import { readdirSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PASSING_CONFIG, WIDGETS, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook, signWebhook, type WebhookDelivery } from "../loopback-github/webhook-sender.ts";
import { MAX_LOGGED_HEADER_CHARS } from "../../src/github/webhook-signature-check.ts";

let github: LoopbackGitHub;
let app: PaddockUnderTest;
let sha: string;

beforeAll(async () => {
  github = await startLoopbackGitHub();
  sha = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG }).sha;
  const pull = toServedPullRequest(buildPullRequestPayload({ action: "opened", ...WIDGETS, number: 7, headSha: sha }));
  github.setPullRequest({ owner: WIDGETS.owner, repo: WIDGETS.repo, pullRequest: pull });
  app = await startPaddockServer({ baseUrl: github.baseUrl });
});

afterAll(async () => {
  await app.stop();
  await github.close();
  github.assertNoViolations();
});

const MISMATCH = '{"error":"Error: [@octokit/webhooks] signature does not match event payload and secret"}';

/** Sends a pull_request delivery with the given signature fields and returns the reply and what reached GitHub. */
async function deliver(fields: Partial<WebhookDelivery>) {
  const payload = buildPullRequestPayload({ action: "opened", ...WIDGETS, number: 7, headSha: sha });
  const reply = await sendWebhook({ url: app.webhookUrl, delivery: { name: "pull_request", id: `delivery-${Math.random()}`, payload, ...fields } });
  await app.service.onIdle();
  return { status: reply.status, text: reply.text, githubCalls: github.calls.length, environments: readdirSync(app.stateDir) };
}

describe("webhook signatures", () => {
  it("rejects a signature made with another secret", async () => {
    const result = await deliver({ secret: "not-the-app-secret" });

    expect(result).toEqual({ status: 401, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("rejects a missing signature header", async () => {
    const result = await deliver({ signature: null });

    expect(result).toEqual({ status: 401, text: '{"error":"Required headers missing: x-hub-signature-256"}', githubCalls: 0, environments: [] });
  });

  it("rejects an empty signature", async () => {
    const result = await deliver({ signature: "sha256=" });

    expect(result).toEqual({ status: 401, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("rejects a signature of another body", async () => {
    const result = await deliver({ signature: signWebhook(LOOPBACK_WEBHOOK_SECRET, '{"action":"opened"}') });

    expect(result).toEqual({ status: 401, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("rejects a SHA-1 signature in the SHA-256 header", async () => {
    const payload = JSON.stringify(buildPullRequestPayload({ action: "opened", ...WIDGETS, number: 7, headSha: sha }));
    const result = await deliver({ body: payload, signature: `sha1=${createHmac("sha1", LOOPBACK_WEBHOOK_SECRET).update(payload).digest("hex")}` });

    expect(result).toEqual({ status: 401, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("accepts the right signature, after all the rejections", async () => {
    const result = await deliver({ secret: LOOPBACK_WEBHOOK_SECRET });

    expect(result.status).toBe(200);
    expect(github.checkRuns().map((run) => [run.head_sha, run.conclusion])).toEqual([[sha, "success"]]);
  });
});

describe("webhook signature rejection log", () => {
  const CANARY = "canary-7f3e-unverified-body-text";
  const REJECTED = "webhook delivery with an invalid signature rejected";

  /**
   * Sends a pull_request body of about 55 KB with `CANARY` planted in it and returns the reply,
   * the log lines it added, and those at warn level or above. Probot's HTTP access line at info
   * level comes with every request and holds the headers, never the body.
   */
  async function deliverCanary(fields: Partial<WebhookDelivery>) {
    const payload = { ...buildPullRequestPayload({ action: "opened", ...WIDGETS, number: 7, headSha: sha }), note: CANARY.repeat(1000) };
    const body = JSON.stringify(payload);
    const linesBefore = app.logs.length;
    const reply = await sendWebhook({ url: app.webhookUrl, delivery: { name: "pull_request", id: "canary-delivery", body, ...fields } });
    await app.service.onIdle();
    const lines = app.logs.slice(linesBefore);
    const alerts = lines.filter((line) => line.level !== "trace" && line.level !== "debug" && line.level !== "info");
    return { status: reply.status, text: reply.text, body, lines, alerts };
  }

  it("logs one warn line with the delivery fields", async () => {
    const { status, text, body, alerts } = await deliverCanary({ secret: "not-the-app-secret" });

    expect(status).toBe(401);
    expect(text).toBe(MISMATCH);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      level: "warn",
      msg: REJECTED,
      deliveryId: "canary-delivery",
      event: "pull_request",
      remoteAddress: "127.0.0.1",
      bodyBytes: Buffer.byteLength(body),
      reason: "x-hub-signature-256 does not match the body signed with the webhook secret",
    });
  });

  it("keeps the body and stacks out of the log", async () => {
    const { lines } = await deliverCanary({ secret: "not-the-app-secret" });
    const logged = JSON.stringify(lines);

    expect(logged).not.toContain("canary-7f3e");
    expect(logged).not.toContain('"stack"');
    expect(logged).not.toContain('"payload"');
    expect(logged.length).toBeLessThan(2000);
  });

  it("logs nothing at error level for a zero signature", async () => {
    const { alerts } = await deliverCanary({ signature: `sha256=${"0".repeat(64)}` });

    expect(alerts.map((line) => [line.level, line.msg])).toEqual([["warn", REJECTED]]);
  });

  it("counts repeated rejections", async () => {
    const first = await deliverCanary({ secret: "not-the-app-secret" });
    const second = await deliverCanary({ secret: "not-the-app-secret" });

    expect((second.alerts[0]?.rejectedDeliveries as number) - (first.alerts[0]?.rejectedDeliveries as number)).toBe(1);
  });

  it("truncates a long delivery id header", async () => {
    const { alerts } = await deliverCanary({ secret: "not-the-app-secret", id: "d".repeat(4000) });

    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.deliveryId).toBe(`${"d".repeat(MAX_LOGGED_HEADER_CHARS)}…`);
  });

  it("logs no rejection for the right signature", async () => {
    const { status, alerts } = await deliverCanary({ secret: LOOPBACK_WEBHOOK_SECRET });

    expect(status).toBe(200);
    expect(alerts.filter((line) => line.msg === REJECTED)).toEqual([]);
  });
});
