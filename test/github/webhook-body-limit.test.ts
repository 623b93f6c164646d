import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEFAULT_WEBHOOK_MAX_BYTES, limitWebhookBodies, readWebhookMaxBytes, type WebhookMiddleware } from "../../src/github/webhook-body-limit.ts";

const MAX_BYTES = 16;
const WEBHOOK_HEADERS = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "d-1", "x-hub-signature-256": "sha256=00" };

/** What the wrapped middleware saw: the body string the wrapper set, or "stream" when it left the stream unread. */
const seen: string[] = [];
let server: Server;
let baseUrl: string;

// Stands in for Probot's middleware, so each test can see what the wrapper passed on.
const recordingMiddleware = (async (request: IncomingMessage & { body?: string }, response) => {
  seen.push(request.body ?? "stream");
  response.writeHead(200).end("ok");
  return true;
}) as WebhookMiddleware;

beforeAll(async () => {
  const limited = limitWebhookBodies(recordingMiddleware, { path: "/api/github/webhooks", maxBytes: MAX_BYTES, log: pino({ enabled: false }) });
  server = createServer((request, response) => void limited(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Posts `body` to `path` and resolves with the status; a connection closed after the reply counts. */
function post(options: { path: string; body: string; headers?: Record<string, string>; method?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    let replied = false;
    const request = httpRequest(`${baseUrl}${options.path}`, { method: options.method ?? "POST", headers: options.headers ?? WEBHOOK_HEADERS }, (response) => {
      replied = true;
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", (error) => (replied ? undefined : reject(error)));
    request.end(options.body);
  });
}

describe("limitWebhookBodies", () => {
  it("passes a body at the limit as a string", async () => {
    seen.length = 0;

    expect(await post({ path: "/api/github/webhooks", body: "x".repeat(MAX_BYTES) })).toBe(200);
    expect(seen).toEqual(["x".repeat(MAX_BYTES)]);
  });

  it.each(["/api/github/webhooks", "/api/github/webhooks/", "/api/github/webhooks?x=/", "/api/github/webhooks//"])("rejects one byte over the limit on %s", async (path) => {
    seen.length = 0;

    expect(await post({ path, body: "x".repeat(MAX_BYTES + 1) })).toBe(413);
    expect(seen).toEqual([]);
  });

  it("leaves other paths and methods to the middleware unread", async () => {
    seen.length = 0;

    expect(await post({ path: "/api/github/other", body: "x".repeat(100) })).toBe(200);
    expect(await post({ path: "/api/github/webhooks", body: "x".repeat(100), method: "PUT" })).toBe(200);
    expect(seen).toEqual(["stream", "stream"]);
  });

  it("leaves a request without the signature header unread", async () => {
    seen.length = 0;
    const { "x-hub-signature-256": _signature, ...unsigned } = WEBHOOK_HEADERS;

    expect(await post({ path: "/api/github/webhooks", body: "x".repeat(100), headers: unsigned })).toBe(200);
    expect(seen).toEqual(["stream"]);
  });
});

describe("readWebhookMaxBytes", () => {
  it("defaults to 25 MiB", () => {
    expect(readWebhookMaxBytes({})).toBe(26_214_400);
    expect(readWebhookMaxBytes({ PADDOCK_WEBHOOK_MAX_BYTES: "" })).toBe(DEFAULT_WEBHOOK_MAX_BYTES);
  });

  it("reads a whole number of bytes", () => {
    expect(readWebhookMaxBytes({ PADDOCK_WEBHOOK_MAX_BYTES: "1048576" })).toBe(1_048_576);
  });

  it.each(["0", "-1", "1.5", "25MB", "1e6", " 5"])("rejects %j", (value) => {
    expect(() => readWebhookMaxBytes({ PADDOCK_WEBHOOK_MAX_BYTES: value })).toThrow(
      `PADDOCK_WEBHOOK_MAX_BYTES=${value} is invalid: set a whole number of bytes, 1 or more (the default is 26214400)`,
    );
  });
});
