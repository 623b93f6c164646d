/**
 * The service supervisor: a small CommonJS program run with `node -e` inside the service
 * sandbox. It starts the services in order, waits for each to pass its ready check, and
 * reports on stdout as JSON lines (see {@link SupervisorEvent}). It is a string because it runs
 * where Paddock's own files are not mounted, and because the bundled Action must carry it.
 *
 * Its one argument is a JSON {@link SupervisorSpec}. Every service runs `/bin/sh -c <run>` with the
 * supervisor's environment, `variables` and the service's `env`, and writes its output to the
 * inherited file descriptor `logFd`.
 */
export const SUPERVISOR_SOURCE = String.raw`
"use strict";
const { spawn } = require("node:child_process");
const net = require("node:net");
const http = require("node:http");

const spec = JSON.parse(process.argv[1]);
const started = [];

function send(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkTcp(port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const finish = (detail) => {
      socket.destroy();
      resolve(detail);
    };
    socket.setTimeout(timeoutMs, () => finish("connection to port " + port + " timed out"));
    socket.once("connect", () => finish(undefined));
    socket.once("error", (error) => finish((error.code === "ECONNREFUSED" ? "connection refused" : error.message) + " on port " + port));
  });
}

function checkHttp(port, path, timeoutMs) {
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      const status = response.statusCode || 0;
      resolve(status >= 200 && status < 400 ? undefined : "GET " + path + " returned HTTP " + status);
    });
    request.once("timeout", () => request.destroy(new Error("GET " + path + " timed out")));
    request.once("error", (error) => resolve(error.code === "ECONNREFUSED" ? "GET " + path + ": connection refused on port " + port : error.message));
  });
}

function checkReady(service, timeoutMs) {
  if (service.ready.http !== undefined) return checkHttp(service.port, service.ready.http, timeoutMs);
  return checkTcp(service.ready.tcp, timeoutMs);
}

function stopAll() {
  for (const child of started) {
    try {
      process.kill(spec.detach ? -child.pid : child.pid, "SIGKILL");
    } catch {}
  }
}

async function startService(service) {
  if ((await checkTcp(service.port, 1000)) === undefined) return { name: service.name, event: "failed", kind: "port-in-use" };

  const env = Object.assign({}, process.env, spec.variables, service.env);
  const child = spawn("/bin/sh", ["-c", service.run], { env, detached: spec.detach, stdio: ["ignore", service.logFd, service.logFd] });
  let exit;
  child.once("exit", (code, signal) => {
    exit = { code, signal };
    if (startedAll) send({ event: "exited", name: service.name, code, signal });
  });
  const spawnError = await new Promise((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", (error) => resolve(error.message));
  });
  if (spawnError !== undefined) return { name: service.name, event: "failed", kind: "spawn", detail: spawnError };
  started.push(child);
  send({ event: "started", name: service.name, pid: child.pid });

  const begin = Date.now();
  const deadline = begin + service.timeoutMs;
  const noCheck = "no ready check finished";
  let detail = noCheck;
  for (;;) {
    if (exit) return { name: service.name, event: "failed", kind: "exited", code: exit.code, signal: exit.signal };
    const budget = Math.max(1, Math.min(spec.checkTimeoutMs, deadline - Date.now()));
    const problem = await checkReady(service, budget);
    if (exit) return { name: service.name, event: "failed", kind: "exited", code: exit.code, signal: exit.signal };
    if (problem === undefined) return { name: service.name, event: "ready", readyMs: Date.now() - begin };
    // A check cut short by the deadline is less informative than the full check before it.
    if (budget >= spec.checkTimeoutMs || detail === noCheck) detail = problem;
    if (Date.now() >= deadline) return { name: service.name, event: "failed", kind: "timeout", detail };
    await sleep(Math.min(spec.intervalMs, Math.max(0, deadline - Date.now())));
  }
}

let startedAll = false;
process.on("SIGTERM", () => {
  stopAll();
  process.exit(143);
});

(async () => {
  for (const service of spec.services) {
    const outcome = await startService(service);
    send(outcome);
    if (outcome.event !== "ready") {
      stopAll();
      process.exit(1);
    }
  }
  startedAll = true;
  send({ event: "all-ready" });
})();
`;

/** One service as the supervisor starts it. */
export interface SupervisorService {
  name: string;
  run: string;
  port: number;
  ready: { http: string } | { tcp: number };
  env: Record<string, string>;
  timeoutMs: number;
  /** File descriptor, inherited from the sandbox, that receives the service's stdout and stderr: a pipe to Paddock, which writes the log. */
  logFd: number;
}

/** The supervisor's argument. */
export interface SupervisorSpec {
  services: SupervisorService[];
  /** Variables every service gets, such as each service's PADDOCK_SERVICE_<NAME>_URL. */
  variables: Record<string, string>;
  /** Milliseconds between ready checks of one service. */
  intervalMs: number;
  /** Maximum milliseconds one ready check may take. */
  checkTimeoutMs: number;
  /**
   * Whether each service gets a process group of its own. Without a sandbox they stay in the
   * supervisor's group, which dies with Paddock; in a sandbox the PID namespace takes them all.
   */
  detach: boolean;
}

/** Failure of a service to become ready, as the supervisor reports it. */
export type SupervisorFailure =
  | { kind: "port-in-use" }
  | { kind: "spawn"; detail: string }
  | { kind: "exited"; code: number | null; signal: string | null }
  | { kind: "timeout"; detail: string };

/** One line the supervisor writes on stdout. */
export type SupervisorEvent =
  | { event: "started"; name: string; pid: number }
  | { event: "ready"; name: string; readyMs: number }
  | ({ event: "failed"; name: string } & SupervisorFailure)
  | { event: "all-ready" }
  | { event: "exited"; name: string; code: number | null; signal: string | null };
