import { request as httpRequest } from "node:http";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PASSING_CONFIG, WIDGETS, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook, signWebhook } from "../loopback-github/webhook-sender.ts";
import { nestedJson } from "./corpus.ts";

/** GitHub caps webhook payloads at 25 MB; these bodies are larger. */
const OVERSIZED_BYTES = 30 * 1024 * 1024;
const MISMATCH = '{"error":"Error: [@octokit/webhooks] signature does not match event payload and secret"}';

let github: LoopbackGitHub;
let app: PaddockUnderTest;
let sha: string;
let deliveries = 0;

beforeAll(async () => {
  github = await startLoopbackGitHub();
  sha = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG }).sha;
  app = await startPaddockServer({ baseUrl: github.baseUrl });
});

afterAll(async () => {
  await app.stop();
  await github.close();
  github.assertNoViolations();
});

/** Builds a valid pull_request payload for pull request `number` and registers the pull request as open on the loopback GitHub. */
function validPayload(number: number): Record<string, unknown> {
  const payload = buildPullRequestPayload({ action: "opened", ...WIDGETS, number, headSha: sha });
  github.setPullRequest({ owner: WIDGETS.owner, repo: WIDGETS.repo, pullRequest: toServedPullRequest(payload) });
  return payload as unknown as Record<string, unknown>;
}

/** Sends a body signed with the app's secret and waits until the app has handled it; returns the reply and GitHub calls made. */
async function deliverSigned(options: { body: string; name?: string }) {
  deliveries += 1;
  const callsBefore = github.calls.length;
  const reply = await sendWebhook({ url: app.webhookUrl, delivery: { name: options.name ?? "pull_request", id: `hostile-${deliveries}`, body: options.body, secret: LOOPBACK_WEBHOOK_SECRET } });
  await app.service.onIdle();
  return { status: reply.status, text: reply.text, githubCalls: github.calls.length - callsBefore };
}

/** Streams `bytes` of body in 1 MiB chunks without a content-length, as chunked transfer encoding allows. */
function postChunked(bytes: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(app.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "hostile-chunked", "x-hub-signature-256": signWebhook(LOOPBACK_WEBHOOK_SECRET, "{}") },
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    const chunk = Buffer.alloc(1024 * 1024, "a");
    for (let sent = 0; sent < bytes; sent += chunk.length) request.write(chunk);
    request.end();
  });
}

describe("hostile webhook payloads", () => {
  it("rejects an oversized unsigned body", async () => {
    const body = `{"padding":"${"x".repeat(OVERSIZED_BYTES)}"}`;
    const callsBefore = github.calls.length;

    const reply = await sendWebhook({ url: app.webhookUrl, delivery: { name: "pull_request", id: "hostile-oversized", body, signature: "sha256=0000" } });

    expect(reply.status).toBe(400);
    expect(reply.text).toBe(MISMATCH);
    expect(github.calls.length).toBe(callsBefore);
  });

  it("rejects an oversized chunked body with a wrong signature", async () => {
    const reply = await postChunked(OVERSIZED_BYTES);

    expect(reply).toEqual({ status: 400, text: MISMATCH });
  });

  it("handles an oversized signed payload like any other", async () => {
    const payload = validPayload(301);
    (payload.pull_request as Record<string, unknown>).body = "x".repeat(OVERSIZED_BYTES);

    const result = await deliverSigned({ body: JSON.stringify(payload) });

    expect(result.status).toBe(200);
    expect(github.checkRuns().filter((run) => run.external_id?.includes("pr-301")).map((run) => run.conclusion)).toEqual(["success"]);
  });

  it("handles 100,000 levels of nesting inside a payload", async () => {
    const payload = validPayload(302);
    const body = JSON.stringify(payload).replace('"body":', `"nested":${nestedJson(100_000)},"body":`);

    const result = await deliverSigned({ body });

    expect(result.status).toBe(200);
    expect(github.checkRuns().filter((run) => run.external_id?.includes("pr-302")).map((run) => run.conclusion)).toEqual(["success"]);
  });

  it("ignores a payload that is only nesting", async () => {
    const result = await deliverSigned({ body: nestedJson(100_000) });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
  });

  it("rejects signed text that is not JSON", async () => {
    const result = await deliverSigned({ body: '{"action": "opened", ' });

    expect(result).toEqual({ status: 400, text: '{"error":"SyntaxError: Invalid JSON"}', githubCalls: 0 });
  });

  it("handles prototype keys in a payload without polluting objects", async () => {
    const payload = JSON.stringify(validPayload(305));
    const pollution = '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},';
    const body = `{${pollution}${payload.slice(1).replace('"pull_request":{', `"pull_request":{${pollution}`)}`;

    const result = await deliverSigned({ body });

    expect(result.status).toBe(200);
    expect(github.checkRuns().filter((run) => run.external_id?.includes("pr-305")).map((run) => run.conclusion)).toEqual(["success"]);
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("ignores fields of the wrong type", async () => {
    const payload = validPayload(303);
    (payload.pull_request as Record<string, unknown>).number = "303; rm -rf /";

    const result = await deliverSigned({ body: JSON.stringify(payload) });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
    expect(app.logs.filter((line) => line.msg === "webhook ignored").at(-1)).toMatchObject({
      reason: "invalid",
      detail: "pull_request.opened payload is missing or has invalid fields: pull_request.number",
    });
  });

  it("ignores a payload without an installation", async () => {
    const payload = validPayload(304);
    delete payload.installation;

    const result = await deliverSigned({ body: JSON.stringify(payload) });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
  });

  it("ignores an unknown event with a large payload", async () => {
    const result = await deliverSigned({ name: "paddock_unknown_event", body: JSON.stringify({ action: "created", data: "x".repeat(1_000_000) }) });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
  });

  it("rejects a body that is not declared as JSON", async () => {
    const reply = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(app.webhookUrl, { method: "POST", headers: { "content-type": "text/plain" } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      request.end("action=opened");
    });

    expect(reply).toBe(415);
  });

  it("still runs a normal delivery afterwards", async () => {
    const result = await deliverSigned({ body: JSON.stringify(validPayload(399)) });

    expect(result.status).toBe(200);
    expect(github.checkRuns().filter((run) => run.external_id?.includes("pr-399")).map((run) => run.conclusion)).toEqual(["success"]);
  });
});
