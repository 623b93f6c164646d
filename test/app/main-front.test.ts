import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { findFreeLoopbackPort } from "../../src/github/find-free-loopback-port.ts";
import { throwawayPrivateKey } from "../loopback-github/paddock-server.ts";
import { sendWebhook } from "../loopback-github/webhook-sender.ts";

const ROOT = resolve(import.meta.dirname, "../..");
// The child runs in a folder without node_modules, so tsx is named by its file, not its package name.
const TSX_LOADER = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const SECRET = "main-front-secret";

/** app/main.ts as `npm run start:tsx` runs it, with its JSON log lines. */
interface AppProcess {
  child: ChildProcess;
  url: string;
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

let stateDir: string;
/** Stands in for GitHub's API, so nothing the app sends leaves the machine; it records each request. */
let github: Server;
const githubRequests: string[] = [];

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "paddock-main-front-"));
  github = createServer((request, response) => {
    githubRequests.push(`${request.method} ${request.url}`);
    response.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
  });
  await new Promise<void>((done) => github.listen(0, "127.0.0.1", done));
});

afterAll(async () => {
  await new Promise((done) => github.close(done));
  await rm(stateDir, { recursive: true, force: true });
});

async function startApp(env: Record<string, string>): Promise<AppProcess> {
  const port = await findFreeLoopbackPort();
  const child = spawn(process.execPath, ["--import", TSX_LOADER, join(ROOT, "app/main.ts")], {
    cwd: stateDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      LOG_FORMAT: "json",
      HOST: "127.0.0.1",
      PORT: String(port),
      GHE_HOST: `127.0.0.1:${(github.address() as AddressInfo).port}`,
      GHE_PROTOCOL: "http",
      PADDOCK_STATE_DIR: join(stateDir, "state"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => void logs.push(JSON.parse(line) as Record<string, unknown>));
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`app/main.ts exited with ${child.exitCode}: ${stderr}`);
      expect(logs.some((line) => line.msg === "webhook front listening")).toBe(true);
    },
    { timeout: 30_000, interval: 50 },
  );
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    logs,
    async stop() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

function get(url: string): Promise<{ status: number; location: string | undefined; text: string }> {
  return new Promise((done, fail) => {
    httpRequest(url, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => done({ status: response.statusCode ?? 0, location: response.headers.location, text }));
    })
      .on("error", fail)
      .end();
  });
}

describe("app/main.ts behind the webhook front", () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = await startApp({ APP_ID: "1", PRIVATE_KEY: throwawayPrivateKey(), WEBHOOK_SECRET: SECRET });
  });

  afterAll(async () => {
    await app.stop();
  });

  it("listens on PORT with the front", () => {
    expect(app.logs.find((line) => line.msg === "webhook front listening")).toMatchObject({ url: app.url, setupMode: false });
  });

  it("serves Probot's routes through the front", async () => {
    expect(await get(`${app.url}/ping`)).toMatchObject({ status: 200, text: "PONG" });
  });

  it("hands a signed delivery to the app's handler", async () => {
    const reply = await sendWebhook({ url: `${app.url}/api/github/webhooks`, delivery: { name: "ping", id: "main-ping", payload: { zen: "Keep it logically awesome.", hook_id: 1 }, secret: SECRET } });

    expect({ status: reply.status, text: reply.text }).toEqual({ status: 200, text: "ok\n" });
    await vi.waitFor(() => expect(app.logs.filter((line) => line.deliveryId === "main-ping").map((line) => [line.msg, line.reason])).toEqual([["webhook ignored", "unsupported"]]));
  });

  it("rejects a wrong signature with 401", async () => {
    const reply = await sendWebhook({ url: `${app.url}/api/github/webhooks`, delivery: { name: "ping", id: "main-bad", payload: { zen: "x" }, secret: "not-the-secret" } });

    expect(reply.status).toBe(401);
    await vi.waitFor(() => expect(app.logs.filter((line) => line.deliveryId === "main-bad").map((line) => line.msg)).toEqual(["webhook delivery with an invalid signature rejected"]));
  });
});

describe("app/main.ts in Probot's setup mode", () => {
  it("serves the setup page through the front", async () => {
    const app = await startApp({});
    try {
      const root = await get(`${app.url}/`);

      expect({ status: root.status, location: root.location }).toEqual({ status: 302, location: "/probot" });
      expect(app.logs.find((line) => line.msg === "webhook front listening")).toMatchObject({ url: app.url, setupMode: true });
      expect(app.logs.find((line) => String(line.msg).startsWith("Probot setup mode"))).toMatchObject({ url: app.url });
      expect(githubRequests).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

describe("app/main.ts without replicas", () => {
  it("stops on SIGTERM after closing the front", async () => {
    const app = await startApp({ APP_ID: "1", PRIVATE_KEY: throwawayPrivateKey(), WEBHOOK_SECRET: SECRET });
    const exited = new Promise<number | null>((done) => app.child.once("exit", (code) => done(code)));

    app.child.kill("SIGTERM");

    expect(await exited).toBe(0);
    expect(app.logs.map((line) => line.msg).filter((msg) => msg === "SIGTERM received; closing the webhook front" || msg === "webhook front closed")).toEqual([
      "SIGTERM received; closing the webhook front",
      "webhook front closed",
    ]);
  });
});
