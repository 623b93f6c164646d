import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLocalProvider, type LocalProvider } from "../../../src/providers/local/local-provider.ts";
import { canMeterUsage } from "../../../src/providers/local/usage-meter.ts";
import type { PreparedEnvironment, ServiceSpec } from "../../../src/providers/provider.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "./helpers.ts";
import { findProcessesInNetwork, findProcessesWithMarker, writeServiceStack } from "./service-stack.ts";

const SHA = "89abcdef0123456789abcdef0123456789abcdef";
const MARKER = `paddock-service-test-${randomUUID()}`;

let provider: LocalProvider;
let source: string;
let hostServer: Server;
let hostPort: number;

function service(overrides: Partial<ServiceSpec> & Pick<ServiceSpec, "name" | "port">): ServiceSpec {
  return { image: "node:24", ready: { tcp: overrides.port }, env: {}, timeoutSeconds: 30, ...overrides };
}

const STACK: ServiceSpec[] = [
  service({ name: "store", port: 9090, run: `exec node store.js ${MARKER}`, env: { STORE_NAME: "paddock" } }),
  service({ name: "api", image: "api", builtImage: "api", port: 8080, run: `exec node api.js ${MARKER}`, ready: { http: "/healthz" } }),
];

async function prepare(name: string, egress: string[] = []): Promise<PreparedEnvironment> {
  return provider.prepare({ environment: testEnvironment({ name, egress }), source: { kind: "directory", sha: SHA, directory: source }, signal: new AbortController().signal });
}

function start(prepared: PreparedEnvironment, services: ServiceSpec[]) {
  return provider.startServices({ prepared, services, signal: new AbortController().signal });
}

function runStep(prepared: PreparedEnvironment, run: string, env: Record<string, string> = {}) {
  return provider.runStep({ prepared, step: { name: "test", run, timeoutSeconds: 60, env }, signal: new AbortController().signal });
}

/** Returns a TCP port that is free on 127.0.0.1 right now. */
async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  source = await makeTemporaryDirectory("services-source");
  await writeServiceStack(source);
  provider = createLocalProvider({ stateDir: await makeTemporaryDirectory("services-state") });

  hostServer = createServer((_request, response) => response.end("host"));
  await new Promise<void>((resolve) => hostServer.listen(0, "127.0.0.1", resolve));
  hostPort = (hostServer.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => hostServer.close(resolve));
});
afterAll(removeTemporaryDirectories);

describe("local services", () => {
  it("two-service stack serves a test step", { timeout: 120_000 }, async () => {
    const prepared = await prepare("stack-1-abc");
    const started = await start(prepared, STACK);

    expect(started.ready).toBe(true);
    expect(started.services.map((status) => [status.name, status.status])).toEqual([
      ["store", "ready"],
      ["api", "ready"],
    ]);
    expect(started.services.every((status) => typeof status.readyMs === "number")).toBe(true);
    expect(started.variables).toEqual({ PADDOCK_SERVICE_STORE_URL: "http://127.0.0.1:9090", PADDOCK_SERVICE_API_URL: "http://127.0.0.1:8080" });

    const result = await runStep(prepared, "node client.js; status=$?; readlink /proc/self/ns/net; exit $status", started.variables);
    expect(result.reason).toBeUndefined();
    expect(result.status).toBe("success");
    expect(result.outputTail).toContain("client got: hello paddock");
    if (canMeterUsage()) expect(result.usage?.cpuSeconds).toBeGreaterThanOrEqual(0);

    const network = /net:\[\d+\]/.exec(result.outputTail)![0];
    expect(await findProcessesInNetwork(network)).not.toEqual([]);
    expect(await findProcessesWithMarker(MARKER)).not.toEqual([]);

    await started.stop();
    expect(await findProcessesInNetwork(network)).toEqual([]);
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
  });

  it("step keeps its own isolation", { timeout: 120_000 }, async () => {
    const prepared = await prepare("stack-2-abc");
    const started = await start(prepared, [service({ name: "web", port: 8080, run: `echo service > /tmp/service-file; exec node api.js ${MARKER}` })]);
    expect(started.ready).toBe(true);

    const probeHost = `node -e 'fetch("http://127.0.0.1:${hostPort}/").then(() => console.log("host reachable"), () => console.log("host unreachable"))'`;
    const result = await runStep(prepared, `test -e /tmp/service-file && echo "tmp shared" || echo "tmp private"; touch /usr/x 2>/dev/null && echo "usr writable" || echo "usr read-only"; ${probeHost}`);
    expect(result.outputTail).toContain("tmp private");
    expect(result.outputTail).toContain("usr read-only");
    expect(result.outputTail).toContain("host unreachable");

    await started.stop();
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
  });

  it("teardown stops running services", { timeout: 120_000 }, async () => {
    const prepared = await prepare("stack-3-abc");
    const started = await start(prepared, STACK);
    expect(started.ready).toBe(true);
    expect(await findProcessesWithMarker(MARKER)).not.toEqual([]);

    await provider.teardown({ environmentName: "stack-3-abc" });
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
  });

  it("other environments cannot reach the services", { timeout: 120_000 }, async () => {
    const withServices = await prepare("stack-4-abc");
    const without = await prepare("stack-4-def");
    const started = await start(withServices, STACK);
    expect(started.ready).toBe(true);

    try {
      const result = await runStep(without, "node client.js", started.variables);
      expect(result.status).toBe("failure");
      expect(result.outputTail).toContain("ECONNREFUSED");
    } finally {
      await started.stop();
    }
  });

  it("unsandboxed services stop with their process group", { timeout: 120_000 }, async () => {
    const stateDir = await makeTemporaryDirectory("services-none");
    const unsandboxed = createLocalProvider({ stateDir, sandbox: "none" });
    const prepared = await unsandboxed.prepare({
      environment: testEnvironment({ name: "stack-10-abc" }),
      source: { kind: "directory", sha: SHA, directory: source },
      signal: new AbortController().signal,
    });
    const port = await findFreePort();
    await writeFile(path.join(prepared.location, "free.js"), `require("node:http").createServer((q, s) => s.end("free")).listen(${port}, "127.0.0.1");\n`);

    const started = await unsandboxed.startServices({
      prepared,
      services: [service({ name: "web", port, run: `node free.js ${MARKER} & sleep 300 # ${MARKER}\nwait` })],
      signal: new AbortController().signal,
    });
    expect(started.services).toEqual([{ name: "web", status: "ready", readyMs: expect.any(Number) }]);
    expect(started.variables).toEqual({ PADDOCK_SERVICE_WEB_URL: `http://127.0.0.1:${port}` });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("free");

    await started.stop();
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
    expect(started.readNotes?.()).toEqual([]);
  });
});

describe("local service failures", () => {
  it("never-ready service fails within its timeout", { timeout: 120_000 }, async () => {
    const prepared = await prepare("stack-5-abc");
    await writeFile(
      path.join(prepared.location, "sick.js"),
      'require("node:http").createServer((q, s) => { s.statusCode = 503; s.end(); }).listen(8080, "127.0.0.1", () => console.log("sick service up"));\n',
    );
    const began = Date.now();
    const started = await start(prepared, [service({ name: "web", port: 8080, run: `exec node sick.js ${MARKER}`, ready: { http: "/healthz" }, timeoutSeconds: 3 }), service({ name: "db", port: 5432, run: "sleep 300" })]);
    const elapsed = Date.now() - began;

    expect(started.ready).toBe(false);
    expect(started.services).toEqual([
      { name: "web", status: "failed", reason: "service web was not ready after 3s: GET /healthz returned HTTP 503", outputTail: "sick service up\n" },
      { name: "db", status: "skipped" },
    ]);
    // The timeout runs from the service's start; the rest is sandbox start-up on a loaded machine.
    expect(elapsed).toBeLessThan(3000 + 15_000);
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
  });

  it("service that exits is reported with its output", { timeout: 60_000 }, async () => {
    const prepared = await prepare("stack-6-abc");
    const started = await start(prepared, [service({ name: "web", port: 8080, run: "echo listening failed >&2; exit 3" })]);
    expect(started.services).toEqual([{ name: "web", status: "failed", reason: "service web exited with code 3 before it was ready", outputTail: "listening failed\n" }]);
  });

  it("service that exits with 0 is told to stay in the foreground", { timeout: 60_000 }, async () => {
    const prepared = await prepare("stack-7-abc");
    const started = await start(prepared, [service({ name: "web", port: 8080, run: "true" })]);
    expect(started.services).toEqual([
      { name: "web", status: "failed", reason: "service web exited with code 0 before it was ready: its run command must keep the service in the foreground" },
    ]);
  });

  it("service that exits during steps leaves a note", { timeout: 120_000 }, async () => {
    const prepared = await prepare("stack-12-abc");
    await writeFile(
      path.join(prepared.location, "brief.js"),
      'require("node:net").createServer().listen(8080, "127.0.0.1", () => setTimeout(() => process.exit(4), 300));\n',
    );
    const started = await start(prepared, [service({ name: "web", port: 8080, run: `exec node brief.js ${MARKER}` })]);
    expect(started.ready).toBe(true);

    await runStep(prepared, "sleep 2");
    await started.stop();

    const logPath = path.join(path.dirname(prepared.location), "..", "logs", SHA, "services", "web.log");
    expect(started.readNotes?.()).toEqual([`service web exited with code 4 while the steps ran; its output is in ${path.resolve(logPath)}`]);
  });

  it("cancellation stops a starting service", { timeout: 120_000 }, async () => {
    const prepared = await prepare("stack-11-abc");
    const controller = new AbortController();
    setTimeout(() => controller.abort("superseded by 1a2b3c4"), 1500);

    const began = Date.now();
    const started = await provider.startServices({
      prepared,
      services: [service({ name: "web", port: 8080, run: `exec sleep 300 # ${MARKER}`, timeoutSeconds: 300 })],
      signal: controller.signal,
    });

    expect(started.services).toEqual([{ name: "web", status: "failed", reason: "cancelled: superseded by 1a2b3c4" }]);
    expect(Date.now() - began).toBeLessThan(60_000);
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
  });

  it("service without run names the fix", async () => {
    const prepared = await prepare("stack-8-abc");
    const started = await start(prepared, [service({ name: "db", port: 5432 }), service({ name: "web", port: 8080, run: "sleep 300" })]);
    expect(started.ready).toBe(false);
    expect(started.services).toEqual([
      {
        name: "db",
        status: "failed",
        reason: "service db has no run command, which the local provider needs because it builds and pulls no images: add run, such as run: node server.js",
      },
      { name: "web", status: "skipped" },
    ]);
  });

  it("second service on a taken port fails", { timeout: 60_000 }, async () => {
    const prepared = await prepare("stack-9-abc");
    const started = await start(prepared, [
      service({ name: "store", port: 9090, run: `exec node store.js ${MARKER}` }),
      service({ name: "copy", port: 9090, run: `exec node store.js ${MARKER}` }),
    ]);
    expect(started.services).toEqual([
      { name: "store", status: "ready", readyMs: expect.any(Number) },
      {
        name: "copy",
        status: "failed",
        reason: "port 9090 was already in use before service copy started: give each service its own port, or stop the process that listens on it",
      },
    ]);
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
  });
});
