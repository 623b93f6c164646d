import { createHmac } from "node:crypto";
import { readdirSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PASSING_CONFIG, WIDGETS, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook, signWebhook, type WebhookDelivery } from "../loopback-github/webhook-sender.ts";

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

    expect(result).toEqual({ status: 400, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("rejects a missing signature header", async () => {
    const result = await deliver({ signature: null });

    expect(result).toEqual({ status: 400, text: '{"error":"Required headers missing: x-hub-signature-256"}', githubCalls: 0, environments: [] });
  });

  it("rejects an empty signature", async () => {
    const result = await deliver({ signature: "sha256=" });

    expect(result).toEqual({ status: 400, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("rejects a signature of another body", async () => {
    const result = await deliver({ signature: signWebhook(LOOPBACK_WEBHOOK_SECRET, '{"action":"opened"}') });

    expect(result).toEqual({ status: 400, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("rejects a SHA-1 signature in the SHA-256 header", async () => {
    const payload = JSON.stringify(buildPullRequestPayload({ action: "opened", ...WIDGETS, number: 7, headSha: sha }));
    const result = await deliver({ body: payload, signature: `sha1=${createHmac("sha1", LOOPBACK_WEBHOOK_SECRET).update(payload).digest("hex")}` });

    expect(result).toEqual({ status: 400, text: MISMATCH, githubCalls: 0, environments: [] });
  });

  it("accepts the right signature, after all the rejections", async () => {
    const result = await deliver({ secret: LOOPBACK_WEBHOOK_SECRET });

    expect(result.status).toBe(200);
    expect(github.checkRuns().map((run) => [run.head_sha, run.conclusion])).toEqual([[sha, "success"]]);
  });
});
