import { request as httpRequest } from "node:http";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PASSING_CONFIG, WIDGETS, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook, signWebhook } from "../loopback-github/webhook-sender.ts";
import { DEFAULT_WEBHOOK_MAX_BYTES } from "../../src/github/webhook-body-limit.ts";
import { nestedJson } from "./corpus.ts";

/** GitHub caps webhook payloads at 25 MB; these bodies are larger than Paddock's 25 MiB limit. */
const OVERSIZED_BYTES = 30 * 1024 * 1024;
const MISMATCH = '{"error":"Error: [@octokit/webhooks] signature does not match event payload and secret"}';
const TOO_LARGE = JSON.stringify({
  error: `webhook body is larger than ${DEFAULT_WEBHOOK_MAX_BYTES} bytes: GitHub caps webhook payloads at 25 MB, so this request did not come from GitHub. Set PADDOCK_WEBHOOK_MAX_BYTES to change the limit`,
});

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

/**
 * Streams `bytes` of body in 1 MiB chunks without a content-length, as chunked transfer encoding
 * allows, and resolves with the reply. Without `end`, the body is left open after the last chunk.
 * A connection the app closes while the body is still being sent counts once the reply arrived.
 */
function postChunked(options: { bytes: number; headers?: Record<string, string>; end?: boolean }): Promise<{ status: number; text: string; sentBytes: number }> {
  const headers = options.headers ?? { "x-hub-signature-256": signWebhook(LOOPBACK_WEBHOOK_SECRET, "{}") };
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let replied = false;
    const request = httpRequest(app.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "hostile-chunked", ...headers },
    });
    request.on("response", (response) => {
      replied = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), sentBytes });
        request.destroy();
      });
    });
    request.on("error", (error) => {
      if (!replied) reject(error);
    });
    const chunk = Buffer.alloc(1024 * 1024, "a");
    void (async () => {
      while (sentBytes < options.bytes && !replied && !request.destroyed) {
        sentBytes += chunk.length;
        if (!request.write(chunk)) await new Promise((drained) => request.once("drain", drained));
      }
      if (options.end !== false && !request.destroyed) request.end();
    })();
  });
}

describe("hostile webhook payloads", () => {
  it("rejects an oversized unsigned body unread", async () => {
    const body = `{"padding":"${"x".repeat(OVERSIZED_BYTES)}"}`;
    const callsBefore = github.calls.length;

    const reply = await sendWebhook({ url: app.webhookUrl, delivery: { name: "pull_request", id: "hostile-oversized", body, signature: "sha256=0000" } }).catch((error: Error) => error);
    // The front's log lines reach the app's logger through the main thread, after the reply.
    await app.drained();

    expect(reply).toMatchObject({ status: 413, text: TOO_LARGE });
    expect(github.calls.length).toBe(callsBefore);
    expect(app.logs.filter((line) => line.msg === "webhook body over the size limit rejected").at(-1)).toMatchObject({
      level: "warn",
      deliveryId: "hostile-oversized",
      receivedBytes: 0,
      maxBytes: DEFAULT_WEBHOOK_MAX_BYTES,
    });
  });

  it("rejects an oversized chunked body once it passes the limit", async () => {
    const reply = await postChunked({ bytes: OVERSIZED_BYTES });
    await app.drained();

    expect(reply.status).toBe(413);
    expect(reply.text).toBe(TOO_LARGE);
    expect(app.logs.filter((line) => line.msg === "webhook body over the size limit rejected").at(-1)?.receivedBytes).toBeGreaterThan(DEFAULT_WEBHOOK_MAX_BYTES);
  });

  it("rejects an oversized signed payload", async () => {
    const payload = validPayload(301);
    (payload.pull_request as Record<string, unknown>).body = "x".repeat(OVERSIZED_BYTES);

    const result = await deliverSigned({ body: JSON.stringify(payload) });

    expect(result).toEqual({ status: 413, text: TOO_LARGE, githubCalls: 0 });
    expect(github.checkRuns().filter((run) => run.external_id?.includes("pr-301"))).toEqual([]);
  });

  it("handles a signed payload just under the limit", async () => {
    const payload = validPayload(306);
    const pullRequest = payload.pull_request as Record<string, unknown>;
    pullRequest.body = "";
    pullRequest.body = "x".repeat(DEFAULT_WEBHOOK_MAX_BYTES - Buffer.byteLength(JSON.stringify(payload)));
    const body = JSON.stringify(payload);

    const result = await deliverSigned({ body });

    expect(Buffer.byteLength(body)).toBe(DEFAULT_WEBHOOK_MAX_BYTES);
    expect(result.status).toBe(200);
    expect(github.checkRuns().filter((run) => run.external_id?.includes("pr-306")).map((run) => run.conclusion)).toEqual(["success"]);
  });

  it("rejects a body without a signature before reading it", async () => {
    // The body is left open after 1 MiB: a reply can only come before the app read it all.
    const reply = await postChunked({ bytes: 1024 * 1024, headers: {}, end: false });

    expect(reply).toEqual({ status: 401, text: '{"error":"Required headers missing: x-hub-signature-256"}', sentBytes: 1024 * 1024 });
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

  it("drops signed text that is not JSON", async () => {
    // The front replies before the main thread parses the body, so the sender gets 200 and the app logs the drop.
    const result = await deliverSigned({ body: '{"action": "opened", ' });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
    expect(app.logs.filter((line) => line.msg === "webhook delivery dropped").at(-1)).toMatchObject({
      level: "warn",
      deliveryId: `hostile-${deliveries}`,
      event: "pull_request",
      bodyBytes: 21,
      reason: "the body is not valid JSON",
    });
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
      level: "warn",
      deliveryId: `hostile-${deliveries}`,
      event: "pull_request",
      reason: "invalid",
      detail: "pull_request.opened payload is missing or has invalid fields: pull_request.number",
    });
  });

  it("ignores a payload without an installation", async () => {
    const payload = validPayload(304);
    delete payload.installation;

    const result = await deliverSigned({ body: JSON.stringify(payload) });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
    expect(app.logs.filter((line) => line.msg === "webhook ignored").at(-1)).toMatchObject({
      level: "warn",
      deliveryId: `hostile-${deliveries}`,
      event: "pull_request",
      reason: "invalid",
      detail: "payload has no installation, so Paddock cannot act on the repository",
    });
  });

  it("logs an unhandled event at info", async () => {
    const result = await deliverSigned({ name: "star", body: JSON.stringify({ action: "created" }) });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
    expect(app.logs.filter((line) => line.msg === "webhook ignored").at(-1)).toMatchObject({
      level: "info",
      deliveryId: `hostile-${deliveries}`,
      event: "star",
      reason: "unsupported",
      detail: "event star.created is not handled by Paddock",
    });
  });

  it.each([
    ["[]", "a JSON array"],
    ['"just a string"', "a JSON string"],
  ])("drops the signed body %s at warn", async (body, kind) => {
    const result = await deliverSigned({ body });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
    expect(app.logs.filter((line) => line.msg === "webhook delivery dropped").at(-1)).toMatchObject({
      level: "warn",
      deliveryId: `hostile-${deliveries}`,
      event: "pull_request",
      reason: `payload is not a JSON object: it is ${kind}`,
    });
  });

  it("ignores an unknown event with a large payload", async () => {
    const result = await deliverSigned({ name: "paddock_unknown_event", body: JSON.stringify({ action: "created", data: "x".repeat(1_000_000) }) });

    expect(result).toEqual({ status: 200, text: "ok\n", githubCalls: 0 });
  });

  it("rejects 100 KB of headers", async () => {
    const reply = await new Promise<number>((resolve, reject) => {
      const headers = { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "x".repeat(100_000), "x-hub-signature-256": "sha256=00" };
      const request = httpRequest(app.webhookUrl, { method: "POST", headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      request.end("{}");
    });

    // Node's HTTP server rejects headers over its 16 KiB default before any handler runs.
    expect(reply).toBe(431);
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
