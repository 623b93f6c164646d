import { spawn, type ChildProcess } from "node:child_process";
import { readlink } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createInterface } from "node:readline";

import type { Logger } from "pino";

import { serviceUrlVariables } from "../../environments/service-urls.ts";
import { PaddockError, describeError } from "../../errors.ts";
import type { ServiceSpec, ServiceStatus, StartedServices } from "../provider.ts";
import { DEFAULT_LOG_MAX_BYTES } from "./capped-log.ts";
import { killMarkedProcesses } from "./marked-processes.ts";
import { readNamespaceLinks, waitForNamespacesEmpty } from "./namespace-members.ts";
import { waitForProcessGroupsEmpty } from "./process-group-members.ts";
import { describeMissingRun, describeServiceFailure, readLogTail } from "./describe-service-failure.ts";
import { OutputTail } from "./output-tail.ts";
import { openServiceLogs, type ServiceLogs } from "./service-logs.ts";
import { describeAbortReason } from "./run-sandboxed.ts";
import { SUPERVISOR_SOURCE, type SupervisorEvent, type SupervisorSpec } from "./service-supervisor-source.ts";
import type { ServiceNetwork, StepCommandFactory } from "./step-command.ts";

/** Address of every service as steps and the supervisor's ready checks reach it. */
export const SERVICE_HOST = "127.0.0.1";
/** Milliseconds between two ready checks of one service. */
export const READY_CHECK_INTERVAL_MS = 200;
/** Maximum milliseconds one ready check may take before it counts as failed. */
export const READY_CHECK_TIMEOUT_MS = 2000;
/** Time the supervisor gets beyond a service's timeout to report, before Paddock stops the sandbox itself. */
export const SUPERVISOR_GRACE_MS = 15_000;
/** Time Paddock waits for the sandbox's processes to be gone after it kills them. */
export const STOP_WAIT_MS = 5000;
/** First file descriptor of the service logs in the sandbox; 3 carries bwrap's JSON status. */
const FIRST_LOG_FD = 4;

/** Services started in a sandbox, and the network namespace steps join to reach them. */
export interface ServiceSandbox {
  started: StartedServices;
  /** Unset when the services share the host's network, as with egress "*" or no sandbox. */
  network?: ServiceNetwork;
}

/** Options of {@link startServiceSandbox}. */
export interface StartServiceSandboxOptions {
  services: readonly ServiceSpec[];
  commands: Pick<StepCommandFactory, "buildServiceHost">;
  checkout: string;
  /** Keeps the host network (egress "*"); otherwise the sandbox gets a network namespace of its own. */
  shareNetwork: boolean;
  /** Whether the supervisor runs in bubblewrap; without it, services are stopped by their process groups. */
  sandboxed: boolean;
  logPathFor: (service: string) => string;
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
  tailLines?: number;
  /** Maximum bytes of output kept in each service log (see `CappedLogWriter`); 10 MiB by default. */
  logMaxBytes?: number;
  /** Node binary that runs the supervisor; the running one by default, which the sandbox binds. */
  nodePath?: string;
}

/**
 * Starts the services in one sandbox: a supervisor process starts them in order and reports
 * each ready check, and Paddock stops the whole sandbox when the first service fails, when the
 * run is cancelled, or when `stop` is called. The PID namespace of the sandbox ends with it, so
 * no service outlives it. Resolves once every service is ready or one has failed.
 */
export async function startServiceSandbox(options: StartServiceSandboxOptions): Promise<ServiceSandbox> {
  const { services, logger } = options;
  const statuses: ServiceStatus[] = services.map((service) => ({ name: service.name, status: "skipped" }));
  const variables = serviceUrlVariables(services, () => SERVICE_HOST);

  // 1. Every service needs a command, because nothing is built or pulled here.
  const withoutRun = services.findIndex((service) => service.run === undefined);
  if (withoutRun !== -1) {
    statuses[withoutRun] = { name: services[withoutRun]!.name, status: "failed", reason: describeMissingRun(services[withoutRun]!.name) };
    return { started: { services: statuses, ready: false, variables, stop: async () => {} } };
  }

  // 2. Start the supervisor with one pipe per service on inherited descriptors; Paddock writes each to a capped log.
  const logs = await openServiceLogs({
    paths: services.map((service) => options.logPathFor(service.name)),
    maxBytes: options.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES,
    logger,
  });
  const spec: SupervisorSpec = {
    services: services.map((service, index) => ({
      name: service.name,
      run: service.run!,
      port: service.port,
      ready: service.ready,
      env: service.env,
      timeoutMs: service.timeoutSeconds * 1000,
      logFd: FIRST_LOG_FD + index,
    })),
    variables,
    intervalMs: READY_CHECK_INTERVAL_MS,
    checkTimeoutMs: READY_CHECK_TIMEOUT_MS,
    detach: options.sandboxed,
  };
  const command = await options.commands.buildServiceHost({
    checkout: options.checkout,
    shareNetwork: options.shareNetwork,
    program: [options.nodePath ?? process.execPath, "-e", SUPERVISOR_SOURCE, JSON.stringify(spec)],
    logFds: services.map((_service, index) => FIRST_LOG_FD + index),
  }).catch(async (error: unknown) => {
    logs.connect([]);
    await logs.finish(STOP_WAIT_MS);
    throw error;
  });
  const [file, ...args] = command.argv;
  const child = spawn(file, args, {
    cwd: command.cwd,
    env: command.env ?? {},
    detached: true,
    stdio: ["ignore", "pipe", "pipe", command.infoFd === undefined ? "ignore" : "pipe", ...services.map(() => "pipe" as const)],
  });
  logs.connect(services.map((_service, index) => child.stdio[FIRST_LOG_FD + index] as Readable | null));

  const sandbox = watchSupervisor({ child, options, statuses, processMarker: command.processMarker, logs });
  const outcome = await sandbox.outcome;
  if (!outcome.ready) {
    await sandbox.stop();
    await attachLogTails({ statuses, options });
    return { started: { services: statuses, ready: false, variables, stop: sandbox.stop } };
  }

  // 3. Steps join the network namespace of the sandbox's first process, unless services share the host's.
  let network: ServiceNetwork | undefined;
  if (command.infoFd !== undefined && !options.shareNetwork) {
    const pid = await sandbox.childPid;
    network = { pid, joinUserNamespace: await isOtherUserNamespace(pid) };
  }
  logger.info({ services: statuses.map((status) => status.name) }, "services ready");
  return { started: { services: statuses, ready: true, variables, stop: sandbox.stop, readNotes: sandbox.readNotes }, ...(network ? { network } : {}) };
}

interface WatchedSupervisor {
  outcome: Promise<{ ready: boolean }>;
  /** Host PID of bwrap's first child, from its JSON status. */
  childPid: Promise<number>;
  stop: () => Promise<void>;
  readNotes: () => string[];
}

/** Follows the supervisor's events, enforces the timeouts from outside, and builds `stop`. */
function watchSupervisor(options: {
  child: ChildProcess;
  options: StartServiceSandboxOptions;
  statuses: ServiceStatus[];
  processMarker: string | undefined;
  logs: ServiceLogs;
}): WatchedSupervisor {
  const { child, statuses, processMarker, logs } = options;
  const { services, logger, signal, sandboxed } = options.options;
  const stderr = new OutputTail({ maxLines: 20 });
  const servicePids: number[] = [];
  const notes: string[] = [];
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let settle: (ready: boolean) => void = () => {};
  const outcome = new Promise<{ ready: boolean }>((resolve) => {
    settle = (ready) => resolve({ ready });
  });
  let watchdog: NodeJS.Timeout | undefined;
  let current = 0;

  const fail = (index: number, reason: string): void => {
    if (statuses[index]?.status !== "skipped") return;
    statuses[index] = { name: services[index]!.name, status: "failed", reason };
    clearTimeout(watchdog);
    settle(false);
  };
  const armWatchdog = (index: number): void => {
    clearTimeout(watchdog);
    const service = services[index]!;
    watchdog = setTimeout(() => {
      fail(index, describeServiceFailure({ ...service, name: service.name, failure: { kind: "timeout", detail: "the service supervisor reported no result" } }));
    }, service.timeoutSeconds * 1000 + SUPERVISOR_GRACE_MS);
  };

  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = parseEvent(line);
    if (event === undefined) return;
    const index = "name" in event ? services.findIndex((service) => service.name === event.name) : -1;
    if (event.event === "started") {
      servicePids.push(event.pid);
      current = index;
      armWatchdog(index);
    } else if (event.event === "ready") {
      statuses[index] = { name: event.name, status: "ready", readyMs: event.readyMs };
      logger.info({ service: event.name, readyMs: event.readyMs }, "service ready");
      current = index + 1;
      if (current < services.length) armWatchdog(current);
    } else if (event.event === "failed") {
      const service = services[index]!;
      fail(index, describeServiceFailure({ name: service.name, port: service.port, timeoutSeconds: service.timeoutSeconds, failure: event }));
    } else if (event.event === "all-ready") {
      clearTimeout(watchdog);
      settle(true);
    } else if (stopping === undefined) {
      logger.warn({ service: event.name, code: event.code, signal: event.signal }, "service exited while the steps ran");
      const how = event.code === null ? `was killed by signal ${event.signal ?? "unknown"}` : `exited with code ${event.code}`;
      notes.push(`service ${event.name} ${how} while the steps ran; its output is in ${options.options.logPathFor(event.name)}`);
    }
  });
  armWatchdog(0);

  child.once("error", (error) => fail(current, `the service supervisor could not start: ${describeError(error)}`));
  child.once("exit", (code, signalName) => {
    const detail = stderr.read().text.trim().split("\n").at(-1) ?? "";
    const how = code === null ? `was killed by signal ${signalName ?? "unknown"}` : `exited with code ${code}`;
    const service = services[Math.min(current, services.length - 1)]!;
    fail(Math.min(current, services.length - 1), `the service supervisor ${how} before service ${service.name} was ready${detail ? `: ${detail}` : ""}`);
  });
  const onAbort = (): void => fail(Math.min(current, services.length - 1), `cancelled: ${describeAbortReason(signal)}`);
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) onAbort();

  const childPid = readChildPid(child);
  // Every service is in the sandbox's PID namespace, and the steps that joined it are in its
  // network namespace too. Without a sandbox there is no status to read, so nothing is watched.
  const namespaces = childPid.then(
    async (pid) => (await readNamespaceLinks(pid, ["pid", "net"]))?.filter((namespace) => namespace.kind === "pid" || !options.options.shareNetwork) ?? [],
    () => [],
  );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearTimeout(watchdog);
      signal.removeEventListener("abort", onAbort);
      const groups = sandboxed ? [child.pid] : [...servicePids, child.pid];
      for (const group of groups) {
        try {
          killGroup(group);
        } catch (error) {
          logger.warn({ err: error, pid: group }, "killing a service process group failed");
        }
      }
      // Without a sandbox, processes that left the process groups (setsid) carry the run's marker.
      if (processMarker !== undefined) {
        await killMarkedProcesses(processMarker).catch((error: unknown) => logger.warn({ err: error, processMarker }, "killing marked service processes failed"));
      }
      await Promise.race([closed, delay(STOP_WAIT_MS)]);
      // Without a sandbox there is no namespace to watch, so the killed process groups are watched instead.
      const left = sandboxed
        ? await waitForNamespacesEmpty(await namespaces, STOP_WAIT_MS)
        : await waitForProcessGroupsEmpty(groups.filter((group): group is number => group !== undefined), STOP_WAIT_MS);
      if (left.length > 0) logger.warn({ pids: left }, "service sandbox processes still running after it was killed");
      await logs.finish(STOP_WAIT_MS);
      logger.info({ services: services.map((service) => service.name) }, "services stopped");
    })();
    return stopping;
  };
  return { outcome, childPid, stop, readNotes: () => [...notes] };
}

function parseEvent(line: string): SupervisorEvent | undefined {
  try {
    return JSON.parse(line) as SupervisorEvent;
  } catch {
    return undefined;
  }
}

/** Reads bwrap's JSON status from descriptor 3 of the child and returns its `child-pid`. */
function readChildPid(child: ChildProcess): Promise<number> {
  const stream = child.stdio[3];
  if (!stream || !("on" in stream)) return Promise.reject(new PaddockError("SANDBOX_UNAVAILABLE", "the service sandbox has no status descriptor"));
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    stream.once("end", () => reject(new PaddockError("SANDBOX_UNAVAILABLE", `bwrap reported no child PID for the service sandbox: ${JSON.stringify(text.slice(0, 200))}`)));
    stream.once("error", reject);
  });
}

/** True when `pid` lives in another user namespace than Paddock, which is the case unless bwrap ran without one. */
async function isOtherUserNamespace(pid: number): Promise<boolean> {
  const [theirs, ours] = await Promise.all([readlink(`/proc/${pid}/ns/user`), readlink("/proc/self/ns/user")]);
  return theirs !== ours;
}

async function attachLogTails(options: { statuses: ServiceStatus[]; options: StartServiceSandboxOptions }): Promise<void> {
  const { statuses } = options;
  const { logPathFor, tailLines } = options.options;
  for (const [index, status] of statuses.entries()) {
    if (status.status !== "failed") continue;
    const outputTail = await readLogTail(logPathFor(status.name), tailLines ?? 20);
    if (outputTail !== "") statuses[index] = { ...status, outputTail };
  }
}

/** Sends SIGKILL to a process group; a group that is already gone is fine. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
