import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { pino, type Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import type { StepResult } from "../../pipeline/step-result.ts";
import type { EnvironmentSpec, ListedEnvironment, PreparedEnvironment, Provider, ServiceSpec, SourceSpec, StartedServices, StepSpec } from "../provider.ts";
import { describeIgnoredStack } from "./describe-ignored-stack.ts";
import { fetchSource } from "./fetch-source.ts";
import { LocalServices } from "./local-services.ts";
import { LocalStateLayout, assertCommitSha, type LocalEnvironmentRecord } from "./local-state.ts";
import { readJunitReport } from "./read-junit-report.ts";
import { runSandboxed, type SandboxRun } from "./run-sandboxed.ts";
import { createStepCommand, type SandboxMode } from "./step-command.ts";
import { PARENT_DEATH_PROGRAM } from "./parent-death.ts";
import { canMeterUsage, readUsageReport, USAGE_PROGRAM } from "./usage-meter.ts";

/** Maximum step timeout in seconds: the largest delay Node's setTimeout accepts (2^31 - 1 ms), rounded down. */
export const MAX_STEP_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Options of {@link createLocalProvider}. */
export interface LocalProviderOptions {
  /** Root of the provider's state: environments, checkouts and logs. */
  stateDir: string;
  /** bubblewrap binary; defaults to /usr/bin/bwrap. */
  bwrapPath?: string;
  /** nsenter binary (util-linux), with which steps join the services' network; defaults to /usr/bin/nsenter. */
  nsenterPath?: string;
  /** "bwrap" (the default) sandboxes every step; "none" runs steps directly on the host and must be chosen explicitly. */
  sandbox?: SandboxMode;
  /** Host folder whose allowed entries make up the sandbox's /etc; /etc by default. */
  hostEtc?: string;
  /** Lines of output kept in a result's `outputTail`; defaults to 50. */
  tailLines?: number;
  /** Maximum bytes of output kept in each step and service log on the host (see `CappedLogWriter`); 10 MiB by default. */
  logMaxBytes?: number;
  logger?: Pick<Logger, "debug" | "info" | "warn">;
  /** Clock for the times stored in environment.json. */
  now?: () => Date;
}

/** The local provider, plus what it can list from its state directory after a restart. */
export interface LocalProvider extends Provider {
  readonly kind: "local";
  /** Reads every `environment.json` in the state directory, sorted by environment name. */
  listEnvironments(): Promise<Array<LocalEnvironmentRecord & ListedEnvironment>>;
  /** Runs each service's `run` command in one sandbox whose network the steps then join; images are ignored. */
  startServices(options: { prepared: PreparedEnvironment; services: readonly ServiceSpec[]; signal: AbortSignal }): Promise<StartedServices>;
}

interface RunningStep {
  controller: AbortController;
  done: Promise<unknown>;
}

/** Reason for a step without measured usage on a machine that lacks GNU time or setpriv. */
const UNMETERED_GAP = `GNU time (${USAGE_PROGRAM}) or setpriv (${PARENT_DEATH_PROGRAM}) is not installed, so requests times wall time were charged`;
/** Reason for a step without measured usage when GNU time wrote no report, as after a timeout or cancel. */
const UNREPORTED_GAP = "the step was stopped before GNU time reported its usage, so requests times wall time were charged";

/**
 * Creates the provider that runs each step of an environment in a bubblewrap sandbox over a
 * checkout of the head commit on this machine, keeping its state under `stateDir`.
 */
export function createLocalProvider(options: LocalProviderOptions): LocalProvider {
  const layout = new LocalStateLayout(options.stateDir);
  const logger = options.logger ?? pino({ enabled: false });
  const now = options.now ?? (() => new Date());
  const sandbox = options.sandbox ?? "bwrap";
  const stepCommand = createStepCommand({
    sandbox,
    bwrapPath: options.bwrapPath,
    nsenterPath: options.nsenterPath,
    hostEtc: options.hostEtc,
    accountsDirectory: path.join(layout.stateDir, "sandbox"),
  });
  const running = new Map<string, Set<RunningStep>>();
  const services = new LocalServices({
    layout,
    commands: stepCommand,
    sandbox,
    ...(options.nsenterPath === undefined ? {} : { nsenterPath: options.nsenterPath }),
    logger,
    ...(options.tailLines === undefined ? {} : { tailLines: options.tailLines }),
    ...(options.logMaxBytes === undefined ? {} : { logMaxBytes: options.logMaxBytes }),
  });

  async function prepare(request: { environment: EnvironmentSpec; source: SourceSpec; signal: AbortSignal }): Promise<PreparedEnvironment> {
    const { environment, source, signal } = request;
    const sha = source.sha;
    const checkout = layout.checkoutDir(environment.name, sha);
    await stepCommand.check();

    // 1. Fetch into a hidden folder first, so a failed fetch never leaves a half checkout.
    const checkoutsDir = layout.checkoutsDir(environment.name);
    const incoming = path.join(checkoutsDir, `.incoming-${sha}-${randomUUID()}`);
    try {
      await fetchSource({ source, destination: incoming, signal });
    } catch (error) {
      await rm(incoming, { recursive: true, force: true });
      throw error;
    }

    // 2. A fresh checkout for this SHA replaces any earlier one, and checkouts of older SHAs are removed.
    await rm(checkout, { recursive: true, force: true });
    await rename(incoming, checkout);
    for (const entry of await readdir(checkoutsDir)) {
      if (entry !== sha && !entry.startsWith(".")) await rm(path.join(checkoutsDir, entry), { recursive: true, force: true });
    }

    // 3. Record the environment so that a restarted process can find it.
    const previous = await layout.readRecord(environment.name);
    const updatedAt = now();
    await layout.writeRecord({
      environment,
      sha,
      location: checkout,
      createdAt: previous?.createdAt ?? updatedAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
      expiresAt: new Date(updatedAt.getTime() + environment.ttlSeconds * 1000).toISOString(),
    });
    logger.info({ environment: environment.name, sha, location: checkout }, "environment prepared");
    const ignored = describeIgnoredStack(environment.stack);
    return { environment, sha, location: checkout, created: previous === undefined, ...(ignored === undefined ? {} : { notes: [ignored] }) };
  }

  async function runStep(request: { prepared: PreparedEnvironment; step: StepSpec; signal: AbortSignal }): Promise<StepResult> {
    const { prepared, step } = request;
    const name = prepared.environment.name;
    const checkout = await resolveCheckout(layout, prepared);
    if (!(step.timeoutSeconds > 0 && step.timeoutSeconds <= MAX_STEP_TIMEOUT_SECONDS)) {
      throw new PaddockError("USAGE", `step ${step.name} has the invalid timeout ${step.timeoutSeconds} seconds`, {
        hint: `Use a positive number of seconds, at most ${MAX_STEP_TIMEOUT_SECONDS}`,
      });
    }
    if (step.image !== undefined) logger.debug({ environment: name, step: step.name, image: step.image }, "step image ignored by the local provider");

    // Only `*` opens the network: the local sandbox cannot limit it to the listed hosts.
    const usageDirectory = canMeterUsage() ? await mkdtemp(path.join(tmpdir(), "paddock-usage-")) : undefined;
    const serviceNetwork = services.networkFor(name);
    const command = await stepCommand.build({
      step,
      checkout,
      shareNetwork: prepared.environment.egress.includes("*"),
      ...(usageDirectory ? { usageDirectory } : {}),
      ...(serviceNetwork ? { serviceNetwork } : {}),
    });
    const logPath = layout.logPath(name, prepared.sha, step.name);
    const controller = new AbortController();
    const run = runSandboxed({
      ...command,
      logPath,
      timeoutSeconds: step.timeoutSeconds,
      signal: AbortSignal.any([request.signal, controller.signal]),
      tailLines: options.tailLines,
      logMaxBytes: options.logMaxBytes,
    });
    const entry: RunningStep = { controller, done: run.catch(() => undefined) };
    const steps = running.get(name) ?? new Set<RunningStep>();
    running.set(name, steps.add(entry));

    try {
      const result = await completeResult({ step, checkout, run: await run, logPath, unsandboxedNote: command.unsandboxedNote });
      const usage = command.usageReport === undefined ? undefined : await readUsageReport(command.usageReport);
      if (usage) result.usage = usage;
      else result.usageGap = command.usageReport === undefined ? UNMETERED_GAP : UNREPORTED_GAP;
      logger.info({ environment: name, sha: prepared.sha, step: step.name, status: result.status, exitCode: result.exitCode }, "step finished");
      return result;
    } finally {
      steps.delete(entry);
      if (steps.size === 0) running.delete(name);
      if (usageDirectory) await rm(usageDirectory, { recursive: true, force: true });
    }
  }

  async function teardown(request: { environmentName: string }): Promise<void> {
    const name = request.environmentName;
    const environmentDir = layout.environmentDir(name);
    const steps = [...(running.get(name) ?? [])];
    for (const step of steps) step.controller.abort("environment torn down");
    await Promise.all(steps.map((step) => step.done));
    await services.stop(name);

    await rm(environmentDir, { recursive: true, force: true });
    logger.info({ environment: name, cancelledSteps: steps.length }, "environment torn down");
  }

  async function listEnvironments(): Promise<Array<LocalEnvironmentRecord & ListedEnvironment>> {
    const records: Array<LocalEnvironmentRecord & ListedEnvironment> = [];
    for (const name of await layout.listEnvironmentNames()) {
      try {
        const record = await layout.readRecord(name);
        if (record !== undefined) {
          const { name, labels, annotations } = record.environment;
          records.push({ ...record, name, labels, annotations });
        }
      } catch (error) {
        logger.warn({ environment: name, err: error }, "environment record unreadable, skipped");
      }
    }
    return records;
  }

  async function annotate(request: { environmentName: string; annotations: Record<string, string | null> }): Promise<void> {
    const record = await layout.readRecord(request.environmentName);
    if (record === undefined) {
      throw new PaddockError("USAGE", `environment ${request.environmentName} not found`, { hint: "Prepare the environment before annotating it" });
    }
    const annotations = { ...record.environment.annotations };
    for (const [key, value] of Object.entries(request.annotations)) {
      if (value === null) delete annotations[key];
      else annotations[key] = value;
    }
    await layout.writeRecord({ ...record, environment: { ...record.environment, annotations } });
  }

  async function startServices(request: { prepared: PreparedEnvironment; services: readonly ServiceSpec[]; signal: AbortSignal }): Promise<StartedServices> {
    const checkout = await resolveCheckout(layout, request.prepared);
    for (const service of request.services) {
      if (service.builtImage !== undefined) logger.debug({ environment: request.prepared.environment.name, service: service.name }, "service image not built by the local provider");
    }
    return services.start({ ...request, checkout });
  }

  return { kind: "local", prepare, runStep, startServices, teardown, listEnvironments, annotate };
}

/**
 * Turns a finished run into the step's result: reads the JUnit report when the step names one,
 * and joins every problem (the run's reason, an unread report, running unsandboxed) into `reason`.
 */
async function completeResult(options: { step: StepSpec; checkout: string; run: SandboxRun; logPath: string; unsandboxedNote?: string }): Promise<StepResult> {
  const { step, run } = options;
  const problems = [run.reason, options.unsandboxedNote].filter((problem) => problem !== undefined);
  const { reason: _runReason, ...fields } = run;
  const result: StepResult = { name: step.name, ...fields, logPath: options.logPath };

  if (step.junitPath !== undefined) {
    const junit = await readJunitReport({ checkoutDirectory: options.checkout, junitPath: step.junitPath });
    if ("report" in junit) result.report = junit.report;
    else problems.push(junit.problem);
  }
  if (problems.length > 0) result.reason = problems.join("; ");
  return result;
}

/** Returns the checkout of a prepared environment, which must be the one `prepare` created. */
async function resolveCheckout(layout: LocalStateLayout, prepared: PreparedEnvironment): Promise<string> {
  assertCommitSha(prepared.sha);
  const expected = layout.checkoutDir(prepared.environment.name, prepared.sha);
  if (path.resolve(prepared.location) !== expected) {
    throw new PaddockError("USAGE", `prepared location ${prepared.location} is not the checkout ${expected}`, {
      hint: "Pass the PreparedEnvironment that prepare returned",
    });
  }
  const stats = await stat(expected).catch(() => undefined);
  if (stats?.isDirectory() !== true) {
    throw new PaddockError("USAGE", `checkout ${expected} not found`, { hint: `Call prepare for commit ${prepared.sha} first` });
  }
  return expected;
}
