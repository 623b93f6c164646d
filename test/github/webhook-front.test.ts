import { spawn } from "node:child_process";
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { createInterface } from "node:readline";

import pino from "pino";
import { Probot, Server } from "probot";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { findFreeLoopbackPort } from "../../src/github/find-free-loopback-port.ts";
import { receiveWithProbot, type ParsedDelivery } from "../../src/github/receive-front-deliveries.ts";
import { startWebhookFront, type WebhookFront } from "../../src/github/start-webhook-front.ts";
import { WebhookAdmission } from "../../src/github/webhook-admission.ts";
import { DEFAULT_WEBHOOK_MAX_BYTES } from "../../src/github/webhook-body-limit.ts";
import { ACCEPTED_REPLY, createWebhookRoute, SHUTTING_DOWN_REPLY } from "../../src/github/webhook-front-handler.ts";
import { readWebhookFrontLimits, type WebhookFrontLimits } from "../../src/github/webhook-front-limits.ts";
import { WebhookQueueGauge } from "../../src/github/webhook-queue-gauge.ts";
import { SIGNATURE_MISMATCH_REPLY, SIGNATURE_MISSING_REPLY } from "../../src/github/webhook-signature-check.ts";
import { loopbackOnlyFetch, throwawayPrivateKey } from "../loopback-github/paddock-server.ts";
import { WIDGETS } from "../loopback-github/loopback-fixtures.ts";
import { buildPullRequestPayload } from "../loopback-github/webhook-payloads.ts";
import { sendWebhook, signWebhook, type WebhookReply } from "../loopback-github/webhook-sender.ts";

const SECRET = "front-test-secret";
const PATH = "/api/github/webhooks";
const PAYLOAD_TEXT = JSON.stringify(buildPullRequestPayload({ action: "opened", ...WIDGETS, number: 7, headSha: "a".repeat(40) }));
const PAYLOAD_BYTES = Buffer.byteLength(PAYLOAD_TEXT);
const TOO_LARGE = (maxBytes: number): string =>
  JSON.stringify({
    error:
      maxBytes >= DEFAULT_WEBHOOK_MAX_BYTES
        ? `webhook body is larger than ${maxBytes} bytes: GitHub caps webhook payloads at 25 MB, so this request did not come from GitHub. Set PADDOCK_WEBHOOK_MAX_BYTES to change the limit`
        : `webhook body is larger than ${maxBytes} bytes, the limit PADDOCK_WEBHOOK_MAX_BYTES sets. Raise it to accept deliveries up to GitHub's cap of 25 MB`,
  });

/** A real Probot server on 127.0.0.1 behind a real front thread, with a gate that keeps deliveries from Probot until it opens. */
interface FrontUnderTest {
  front: WebhookFront;
  /** What Probot's onAny handler saw, in order. */
  handled: ParsedDelivery[];
  logs: Array<Record<string, unknown>>;
  failures: Error[];
  /** Holds deliveries on the main thread until `openGate`, so they stay in the backlog. */
  closeGate(): void;
  openGate(): void;
  webhookUrl: string;
  stop(): Promise<void>;
}

async function startFront(limits: Partial<WebhookFrontLimits> = {}): Promise<FrontUnderTest> {
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info", formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const handled: ParsedDelivery[] = [];
  const failures: Error[] = [];

  // 1. Probot's own server with an app that records every delivery.
  const port = await findFreeLoopbackPort();
  let probot: Probot | undefined;
  const server = new Server({
    host: "127.0.0.1",
    port,
    log: logger,
    Probot: Probot.defaults({ appId: 1, privateKey: throwawayPrivateKey(), secret: SECRET, baseUrl: "http://127.0.0.1:1", log: logger, request: { fetch: loopbackOnlyFetch } }),
  });
  await server.load((app) => {
    probot = app;
    app.onAny(async (context) => void handled.push({ id: context.id, name: context.name, payload: context.payload }));
  });
  await server.start();

  // 2. The front, with a gate between it and Probot.
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const receive = receiveWithProbot(probot!);
  const front = await startWebhookFront({
    host: "127.0.0.1",
    port: 0,
    path: PATH,
    secret: SECRET,
    upstream: `http://127.0.0.1:${port}`,
    limits: { ...readWebhookFrontLimits({}), ...limits },
    logger,
    receive: async (delivery) => {
      await gate;
      await receive(delivery);
    },
    onFailure: (error) => void failures.push(error),
  });
  return {
    front,
    handled,
    logs,
    failures,
    closeGate: () => void (gate = new Promise((resolve) => (open = resolve))),
    openGate: () => open(),
    webhookUrl: `${front.url}${PATH}`,
    async stop() {
      open();
      await front.close();
      await server.stop();
    },
  };
}

let deliveryNumber = 0;

/** Sends the recorded pull_request payload signed with `secret` (the front's by default) under a fresh delivery id. */
function deliver(target: FrontUnderTest, options: { secret?: string; signature?: string | null; body?: string } = {}): Promise<WebhookReply & { id: string }> {
  deliveryNumber += 1;
  const id = `front-${deliveryNumber}`;
  const signature = options.signature === undefined ? {} : { signature: options.signature };
  const delivery = { name: "pull_request", id, body: options.body ?? PAYLOAD_TEXT, secret: options.secret ?? SECRET, ...signature };
  return sendWebhook({ url: target.webhookUrl, delivery }).then((reply) => ({ ...reply, id }));
}

/** Sends a raw request and resolves with the status and text of the reply. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

describe("webhook front", () => {
  let target: FrontUnderTest;

  beforeAll(async () => {
    target = await startFront();
  });

  afterAll(async () => {
    await target.stop();
  });

  it("hands a good delivery to Probot once", async () => {
    const before = target.handled.length;

    const reply = await deliver(target);
    await target.front.drained();

    expect(reply.status).toBe(200);
    expect(reply.text).toBe(ACCEPTED_REPLY);
    expect(target.handled.slice(before)).toEqual([{ id: reply.id, name: "pull_request", payload: JSON.parse(PAYLOAD_TEXT) }]);
  });

  it("rejects a wrong signature with 401", async () => {
    const before = target.handled.length;

    const reply = await deliver(target, { secret: "not-the-secret" });
    await target.front.drained();

    expect({ status: reply.status, text: reply.text }).toEqual({ status: 401, text: SIGNATURE_MISMATCH_REPLY });
    expect(target.handled.length).toBe(before);
    await vi.waitFor(() => expect(target.logs.filter((line) => line.deliveryId === reply.id).map((line) => [line.level, line.msg, line.reason])).toEqual([
      ["warn", "webhook delivery with an invalid signature rejected", "x-hub-signature-256 does not match the body signed with the webhook secret"],
    ]));
  });

  it("rejects a missing signature with 401", async () => {
    const before = target.handled.length;

    const reply = await deliver(target, { signature: null });
    await target.front.drained();

    expect({ status: reply.status, text: reply.text }).toEqual({ status: 401, text: SIGNATURE_MISSING_REPLY });
    expect(target.handled.length).toBe(before);
  });

  it("rejects an uppercase hex signature with 401", async () => {
    const before = target.handled.length;
    const signature = signWebhook(SECRET, PAYLOAD_TEXT).replace(/[a-f]/g, (letter) => letter.toUpperCase()).replace("SHA", "sha");

    const reply = await deliver(target, { signature });
    await target.front.drained();

    expect({ status: reply.status, text: reply.text }).toEqual({ status: 401, text: SIGNATURE_MISMATCH_REPLY });
    expect(target.handled.length).toBe(before);
  });

  it("rejects missing event headers with 400", async () => {
    const reply = await send(target.webhookUrl, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signWebhook(SECRET, "{}") }, body: "{}" });

    expect(reply).toEqual({ status: 400, text: '{"error":"Required headers missing: x-github-event, x-github-delivery"}' });
  });

  it("rejects a body that is not JSON with 415", async () => {
    const reply = await send(target.webhookUrl, { method: "POST", headers: { "content-type": "text/plain", "x-github-event": "push", "x-github-delivery": "d" }, body: "{}" });

    expect(reply).toEqual({ status: 415, text: '{"error":"Unsupported \\"Content-Type\\" header value. Must be \\"application/json\\""}' });
  });

  it("rejects an oversized declared body with 413", async () => {
    const before = target.handled.length;
    const body = "x".repeat(DEFAULT_WEBHOOK_MAX_BYTES + 1);

    const reply = await deliver(target, { body });

    expect({ status: reply.status, text: reply.text }).toEqual({ status: 413, text: TOO_LARGE(DEFAULT_WEBHOOK_MAX_BYTES) });
    expect(target.handled.length).toBe(before);
  });

  it("drops a signed body that is not JSON", async () => {
    const before = target.handled.length;

    const reply = await deliver(target, { body: "{not json" });
    await target.front.drained();

    expect({ status: reply.status, text: reply.text }).toEqual({ status: 200, text: ACCEPTED_REPLY });
    expect(target.handled.length).toBe(before);
    expect(target.logs.filter((line) => line.deliveryId === reply.id).map((line) => [line.level, line.msg, line.reason, line.bodyBytes])).toEqual([
      ["warn", "webhook delivery dropped", "the body is not valid JSON", 9],
    ]);
  });

  it.each([
    ["[]", "a JSON array"],
    ['"just a string"', "a JSON string"],
    ["42", "a JSON number"],
    ["true", "a JSON boolean"],
    ["null", "JSON null"],
  ])("drops the signed non-object body %s", async (body, kind) => {
    const before = target.handled.length;

    const reply = await deliver(target, { body });
    await target.front.drained();

    expect(reply.status).toBe(200);
    expect(target.handled.length).toBe(before);
    expect(target.logs.filter((line) => line.deliveryId === reply.id).map((line) => [line.level, line.msg, line.event, line.reason, line.bodyBytes])).toEqual([
      ["warn", "webhook delivery dropped", "pull_request", `payload is not a JSON object: it is ${kind}`, Buffer.byteLength(body)],
    ]);
    expect(target.front.gauge.deliveries).toBe(0);
  });

  it("drops a signed null payload", async () => {
    const before = target.handled.length;

    const reply = await deliver(target, { body: "null" });
    await target.front.drained();

    expect(reply.status).toBe(200);
    expect(target.handled.length).toBe(before);
    expect(target.logs.filter((line) => line.deliveryId === reply.id).map((line) => [line.level, line.msg])).toEqual([["warn", "webhook delivery dropped"]]);
    expect(target.front.gauge.deliveries).toBe(0);
  });

  it("forwards other paths to Probot's server", async () => {
    expect(await send(`${target.front.url}/ping`)).toEqual({ status: 200, text: "PONG" });
    expect(await send(target.webhookUrl)).toEqual({ status: 404, text: '{"error":"Unknown route: GET /api/github/webhooks"}' });
  });

  it("empties the gauge once deliveries are handled", async () => {
    await Promise.all([deliver(target), deliver(target), deliver(target)]);
    await target.front.drained();

    expect([target.front.gauge.deliveries, target.front.gauge.bytes]).toEqual([0, 0]);
  });
});

describe("webhook front backlog bound", () => {
  let target: FrontUnderTest;

  beforeAll(async () => {
    target = await startFront({ queueMaxDeliveries: 2 });
  });

  afterAll(async () => {
    await target.stop();
  });

  it("rejects a delivery over the bound with 503", async () => {
    target.closeGate();
    const before = target.handled.length;

    const first = await deliver(target);
    const second = await deliver(target);
    const third = await deliver(target);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect({ status: third.status, text: third.text }).toEqual({
      status: 503,
      text: JSON.stringify({
        error: `webhook queue is full (waiting for the app: 2 of at most 2 deliveries, ${2 * PAYLOAD_BYTES} of at most ${2 * DEFAULT_WEBHOOK_MAX_BYTES} bytes): redeliver this delivery later. PADDOCK_WEBHOOK_QUEUE_MAX and PADDOCK_WEBHOOK_QUEUE_MAX_BYTES set the bounds`,
      }),
    });

    target.openGate();
    await target.front.drained();
    expect(target.handled.slice(before).map((delivery) => delivery.id)).toEqual([first.id, second.id]);
  });

  it("logs one warn line per run of rejections", async () => {
    target.closeGate();
    await deliver(target);
    await deliver(target);
    const rejected = [await deliver(target), await deliver(target), await deliver(target)];
    target.openGate();
    await target.front.drained();
    const accepted = await deliver(target);
    await target.front.drained();

    expect(rejected.map((reply) => reply.status)).toEqual([503, 503, 503]);
    expect(accepted.status).toBe(200);
    await vi.waitFor(() => expect(target.logs.filter((line) => String(line.msg).startsWith("webhook queue")).slice(-2).map((line) => [line.level, line.msg, line.rejectedDeliveries ?? line.deliveryId])).toEqual([
      ["warn", "webhook queue full; deliveries rejected with 503", rejected[0]!.id],
      ["info", "webhook queue accepts deliveries again", 3],
    ]));
  });
});

describe("webhook front backlog bytes", () => {
  let target: FrontUnderTest;

  beforeAll(async () => {
    target = await startFront({ queueMaxBytes: PAYLOAD_BYTES + 10 });
  });

  afterAll(async () => {
    await target.stop();
  });

  it("rejects a delivery past the byte bound with 503", async () => {
    target.closeGate();
    const before = target.handled.length;

    const first = await deliver(target);
    const second = await deliver(target);

    expect(first.status).toBe(200);
    expect({ status: second.status, text: second.text }).toEqual({
      status: 503,
      text: JSON.stringify({
        error: `webhook queue is full (waiting for the app: 1 of at most 1000 deliveries, ${PAYLOAD_BYTES} of at most ${PAYLOAD_BYTES + 10} bytes): redeliver this delivery later. PADDOCK_WEBHOOK_QUEUE_MAX and PADDOCK_WEBHOOK_QUEUE_MAX_BYTES set the bounds`,
      }),
    });
    target.openGate();
    await target.front.drained();
    expect(target.handled.slice(before).map((delivery) => delivery.id)).toEqual([first.id]);
  });

  it("admits one body larger than the bound into an empty queue", async () => {
    const before = target.handled.length;
    const payload = { ...(JSON.parse(PAYLOAD_TEXT) as Record<string, unknown>), padding: "x".repeat(100) };

    const reply = await deliver(target, { body: JSON.stringify(payload) });
    await target.front.drained();

    expect(reply.status).toBe(200);
    expect(target.handled.slice(before).map((delivery) => delivery.payload)).toEqual([payload]);
  });
});

describe("webhook front read budget", () => {
  const MAX_BODY = 1_000;
  let target: FrontUnderTest;

  beforeAll(async () => {
    target = await startFront({ maxBodyBytes: MAX_BODY, readMaxBytes: 1_500 });
  });

  afterAll(async () => {
    await target.stop();
  });

  it("rejects a body past the budget with 503 unread", async () => {
    const before = target.handled.length;
    // A body that declares 1,000 bytes and sends 10 keeps its reservation until it ends.
    const held = httpRequest(target.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(MAX_BODY), "x-github-event": "push", "x-github-delivery": "held", "x-hub-signature-256": signWebhook(SECRET, "x") },
    });
    const heldReply = new Promise<number>((resolve) => held.on("response", (response) => (response.resume(), resolve(response.statusCode ?? 0))));
    held.write("x".repeat(10));

    // Until the front has read the held request's headers, a probe is admitted; its wrong signature then gets 401 and reaches no handler.
    const probe = { "content-type": "application/json", "content-length": "600", "x-github-event": "push", "x-github-delivery": "probe", "x-hub-signature-256": signWebhook(SECRET, "y") };
    let reply = { status: 0, text: "" };
    await vi.waitFor(async () => {
      reply = await send(target.webhookUrl, { method: "POST", headers: probe, body: "y".repeat(600) });
      expect(reply.status).toBe(503);
    });

    expect(reply.text).toBe(
      JSON.stringify({ error: "webhook bodies being read would exceed 1500 bytes in total (1000 bytes being read, 600 more for this request): redeliver this delivery later. PADDOCK_WEBHOOK_READ_MAX_BYTES sets the budget" }),
    );
    held.end("x".repeat(MAX_BODY - 10));
    expect(await heldReply).toBe(401);
    await target.front.drained();
    expect(target.handled.length).toBe(before);
  });

  it("rejects a chunked body past the size limit with 413", async () => {
    const reply = await send(target.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked", "x-github-event": "push", "x-github-delivery": "chunked", "x-hub-signature-256": signWebhook(SECRET, "x") },
      body: "x".repeat(MAX_BODY + 1),
    });

    expect(reply).toEqual({ status: 413, text: TOO_LARGE(MAX_BODY) });
  });
});

describe("webhook front shutdown", () => {
  it("stops accepting and hands over what it accepted", async () => {
    const target = await startFront();
    const order: string[] = [];
    target.closeGate();
    const accepted = await deliver(target);

    const answered = [accepted.id];
    const closing = target.front.close().then(() => void order.push("closed"));
    // Deliveries sent before the front read the close message still get 200, and must be handed over too.
    await vi.waitFor(async () => {
      const outcome = await deliver(target).then(
        (reply) => (reply.status === 200 ? void answered.push(reply.id) : reply.status),
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect(outcome).toBe("ECONNREFUSED");
    });
    order.push("refused");
    target.openGate();
    await closing;

    expect(accepted.status).toBe(200);
    expect(order).toEqual(["refused", "closed"]);
    expect(target.handled.map((delivery) => delivery.id)).toEqual(answered);
    expect(target.failures).toEqual([]);
    await target.stop();
  });

  it("replies 503 to a delivery while closing", async () => {
    const gauge = new WebhookQueueGauge();
    const log = { info: () => undefined, warn: () => undefined };
    const delivered: string[] = [];
    const route = createWebhookRoute({
      secret: SECRET,
      maxBodyBytes: DEFAULT_WEBHOOK_MAX_BYTES,
      admission: new WebhookAdmission({ limits: readWebhookFrontLimits({}), gauge, log }),
      gauge,
      log,
      isClosing: () => true,
      deliver: (delivery) => void delivered.push(delivery.id),
    });
    const server: HttpServer = createHttpServer((request, response) => void route(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

    const body = PAYLOAD_TEXT;
    const reply = await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "late", "x-hub-signature-256": signWebhook(SECRET, body) },
      body,
    });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));

    expect(reply).toEqual({ status: 503, text: SHUTTING_DOWN_REPLY });
    expect(delivered).toEqual([]);
    expect(gauge.deliveries).toBe(0);
  });
});

describe("webhook front failures", () => {
  it("reports a front thread that exits", async () => {
    const target = await startFront();

    await target.front.worker.terminate();

    expect(target.failures.map((error) => error.message)).toEqual(["the webhook front thread exited with code 1"]);
  });

  it("rejects a port already in use", async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;

    const started = startWebhookFront({
      host: "127.0.0.1",
      port,
      path: PATH,
      secret: SECRET,
      upstream: "http://127.0.0.1:1",
      limits: readWebhookFrontLimits({}),
      logger: pino({ enabled: false }),
      receive: () => Promise.resolve(),
      onFailure: () => undefined,
    });

    await expect(started).rejects.toThrow(`the webhook front could not listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    await new Promise((resolve) => taken.close(resolve));
  });

  it("replies 502 without Probot's server", async () => {
    const port = await findFreeLoopbackPort();
    const front = await startWebhookFront({
      host: "127.0.0.1",
      port: 0,
      path: PATH,
      secret: SECRET,
      upstream: `http://127.0.0.1:${port}`,
      limits: readWebhookFrontLimits({}),
      logger: pino({ enabled: false }),
      receive: () => Promise.resolve(),
      onFailure: () => undefined,
    });

    const reply = await send(`${front.url}/ping`);
    await front.close();

    expect(reply).toEqual({ status: 502, text: JSON.stringify({ error: `Probot's server at http://127.0.0.1:${port} did not answer: connect ECONNREFUSED 127.0.0.1:${port}` }) });
  });

  it("goes down with a crash on the main thread", async () => {
    const upstream = createHttpServer((_request, response) => response.end());
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const child = spawn(process.execPath, ["--import", "tsx", new URL("./support/front-crash-host.ts", import.meta.url).pathname, `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const { url } = await new Promise<{ url: string }>((resolve) => createInterface({ input: child.stdout }).once("line", (line) => resolve(JSON.parse(line) as { url: string })));
    const before = await send(`${url}/ping`);

    child.stdin.write("crash\n");
    const code = await exited;
    const after = await send(`${url}/ping`).catch((error: NodeJS.ErrnoException) => error.code);
    await new Promise((resolve) => upstream.close(resolve));

    expect(before.status).toBe(200);
    expect(code).toBe(1);
    expect(stderr).toContain("Error: simulated crash on the main thread");
    expect(after).toBe("ECONNREFUSED");
  });
});

describe("readWebhookFrontLimits", () => {
  it("returns the defaults for unset variables", () => {
    expect(readWebhookFrontLimits({})).toEqual({ maxBodyBytes: 26_214_400, queueMaxDeliveries: 1_000, queueMaxBytes: 52_428_800, readMaxBytes: 52_428_800 });
  });

  it("reads each variable", () => {
    const env = { PADDOCK_WEBHOOK_MAX_BYTES: "10", PADDOCK_WEBHOOK_QUEUE_MAX: "20", PADDOCK_WEBHOOK_QUEUE_MAX_BYTES: "30", PADDOCK_WEBHOOK_READ_MAX_BYTES: "40" };

    expect(readWebhookFrontLimits(env)).toEqual({ maxBodyBytes: 10, queueMaxDeliveries: 20, queueMaxBytes: 30, readMaxBytes: 40 });
  });

  it.each([
    ["PADDOCK_WEBHOOK_QUEUE_MAX", "0", "PADDOCK_WEBHOOK_QUEUE_MAX=0 is invalid: set a whole number of deliveries, 1 or more (the default is 1000)"],
    ["PADDOCK_WEBHOOK_QUEUE_MAX", "1e3", "PADDOCK_WEBHOOK_QUEUE_MAX=1e3 is invalid: set a whole number of deliveries, 1 or more (the default is 1000)"],
    ["PADDOCK_WEBHOOK_QUEUE_MAX_BYTES", "-5", "PADDOCK_WEBHOOK_QUEUE_MAX_BYTES=-5 is invalid: set a whole number of bytes, 1 or more (the default is 52428800)"],
    ["PADDOCK_WEBHOOK_READ_MAX_BYTES", "lots", "PADDOCK_WEBHOOK_READ_MAX_BYTES=lots is invalid: set a whole number of bytes, 1 or more (the default is 52428800)"],
  ])("rejects %s=%s", (name, value, message) => {
    expect(() => readWebhookFrontLimits({ [name]: value })).toThrow(message);
  });
});
