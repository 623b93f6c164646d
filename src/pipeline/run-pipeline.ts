import type { Logger } from "pino";
import type { CheckRunView, StepProgress } from "../checks/check-run-view.ts";
import { concludePipeline } from "../checks/conclude.ts";
import { buildCostView } from "../cost/cost-view.ts";
import { summarizeEnvironmentCost, type StandingContainer } from "../cost/environment-cost.ts";
import { meterStepResult } from "../cost/meter-step-result.ts";
import { resolvePriceTable, type PriceTable } from "../cost/price-table.ts";
import type { StepCost } from "../cost/step-cost.ts";
import type { EnvironmentPlan } from "../environments/plan-environment.ts";
import { parseCpuMillis, parseMemoryBytes } from "../config/units.ts";
import { describeError, PaddockError } from "../errors.ts";
import type { PreparedEnvironment, Provider, SourceSpec, StartedServices } from "../providers/provider.ts";
import type { StepResult } from "./step-result.ts";
import { readStepReport } from "./read-step-report.ts";
import { listStartingServices, startPipelineServices } from "./start-pipeline-services.ts";
import { describePrepareFailure } from "./describe-prepare-failure.ts";

/**
 * Runs a planned pipeline on a provider: prepares the environment, starts the services and
 * waits for them to be ready, runs the steps in order with each service's
 * PADDOCK_SERVICE_<NAME>_URL, skips the rest after the first step that does not succeed, stops
 * the services, and reports every change through `onProgress`. Resolves with the completed
 * view; an aborted signal ends it as cancelled.
 */
export async function runPipeline(options: {
  provider: Provider;
  plan: EnvironmentPlan;
  source: SourceSpec;
  view: CheckRunView;
  signal: AbortSignal;
  onProgress: (view: CheckRunView) => Promise<void>;
  logger: Logger;
  /** Prices for the cost table; when not given, the plan's org policy prices for the provider's cluster, else OpenCost's on-premises defaults. */
  prices?: PriceTable;
  now?: () => Date;
}): Promise<CheckRunView> {
  const { provider, plan, source, signal, onProgress, logger } = options;
  const prices = options.prices ?? resolvePriceTable({ ...(plan.costPolicy ? { policy: plan.costPolicy } : {}), ...(provider.cluster ? { cluster: provider.cluster } : {}) });
  const now = options.now ?? (() => new Date());
  const costs: Array<{ name: string; cost: StepCost }> = [];
  let view: CheckRunView = {
    ...options.view,
    status: "in_progress",
    steps: plan.steps.map((step) => ({ name: step.name, status: "queued" })),
  };

  // Services are charged their requests from the time they are ready.
  const standing: StandingContainer[] = [];

  // 1. Prepare the environment and the checkout.
  let prepared: PreparedEnvironment;
  try {
    prepared = await provider.prepare({ environment: plan.environment, source, signal });
    if (prepared.notes && prepared.notes.length > 0) view = { ...view, notes: [...view.notes, ...prepared.notes] };
  } catch (error) {
    if (signal.aborted) return cancel(view, signal);
    logger.error({ err: error }, "environment preparation failed");
    const steps = view.steps.map((step): StepProgress => ({ ...step, status: "skipped" }));
    return { ...view, steps, status: "completed", conclusion: "failure", headline: describePrepareFailure(error) };
  }

  // 2. Start the services, each ready before the next; no step runs when one is not.
  let started: StartedServices | undefined;
  if (plan.services.length > 0) {
    view = { ...view, services: listStartingServices(plan.services) };
    await onProgress(view);
    const services = await startPipelineServices({ provider, prepared, services: plan.services, signal, logger });
    view = { ...view, services: services.progress };
    if (signal.aborted) {
      if (services.ready) await services.started.stop();
      return cancel(view, signal);
    }
    if (!services.ready) {
      const steps = view.steps.map((step): StepProgress => ({ ...step, status: "skipped" }));
      return { ...view, steps, status: "completed", conclusion: "failure", headline: services.headline };
    }
    started = services.started;
    standing.push(...describeStandingServices({ plan, startedAt: now() }));
    // The preview URL goes on the view, for the summary and for a GitHub deployment status.
    if (started.previewUrl !== undefined) view = { ...view, previewUrl: started.previewUrl, notes: [...view.notes, `Preview: ${started.previewUrl}`] };
    await onProgress(view);
  }

  // 3. Run the steps; the services stop when they end, however they end.
  try {
    view = await runSteps({ ...options, prepared, view, costs, prices, now, standing, variables: started?.variables ?? {} });
  } finally {
    await started?.stop();
  }
  if (standing.length > 0) {
    if (!started?.untilTeardown) {
      const stoppedAt = now();
      for (const service of standing) service.stoppedAt = stoppedAt;
    }
    view = { ...view, cost: describeCost({ costs, prices, plan, standing, now: now() }) };
  }
  const serviceNotes = started?.readNotes?.() ?? [];
  if (serviceNotes.length > 0) view = { ...view, notes: [...view.notes, ...serviceNotes] };

  // 4. Conclude.
  if (signal.aborted) return cancel(view, signal);
  const steps = view.steps.map((step): StepProgress => (step.status === "queued" ? { ...step, status: "skipped" } : step));
  return { ...view, steps, status: "completed", conclusion: concludePipeline(steps) };
}

/** Runs each step with the services' variables; stops at the first that does not succeed. */
async function runSteps(options: {
  provider: Provider;
  plan: EnvironmentPlan;
  prepared: PreparedEnvironment;
  view: CheckRunView;
  signal: AbortSignal;
  onProgress: (view: CheckRunView) => Promise<void>;
  logger: Logger;
  costs: Array<{ name: string; cost: StepCost }>;
  prices: PriceTable;
  now: () => Date;
  standing: readonly StandingContainer[];
  variables: Record<string, string>;
}): Promise<CheckRunView> {
  const { provider, plan, prepared, signal, onProgress, logger, costs, prices, now, standing, variables } = options;
  let view = options.view;
  for (const [index, planned] of plan.steps.entries()) {
    if (signal.aborted) return view;
    const step = { ...planned, env: { ...variables, ...planned.env } };
    view = replaceStep(view, index, { name: step.name, status: "running" });
    await onProgress(view);

    const result = await provider.runStep({ prepared, step, signal });
    costs.push({ name: step.name, cost: meterStepResult({ result, resources: plan.environment.resources, prices }) });
    view = { ...replaceStep(view, index, toProgress(result)), cost: describeCost({ costs, prices, plan, standing, now: now() }) };
    logger.info({ step: step.name, status: result.status, exitCode: result.exitCode, durationMs: result.durationMs }, "step finished");
    if (result.status !== "success") break;
    if (index < plan.steps.length - 1) await onProgress(view);
  }
  return view;
}

function describeCost(options: {
  costs: ReadonlyArray<{ name: string; cost: StepCost }>;
  prices: PriceTable;
  plan: EnvironmentPlan;
  standing: readonly StandingContainer[];
  now: Date;
}): CheckRunView["cost"] {
  const { costs, prices, plan, standing, now } = options;
  const expiresAt = new Date(plan.environment.expiresAt);
  const environment = summarizeEnvironmentCost({ steps: costs.map((entry) => entry.cost), standing, now, expiresAt, prices });
  return buildCostView({ steps: costs, environment, prices, expiresAt: plan.environment.expiresAt });
}

/**
 * Describes each service as a standing container with the environment's resources, which the
 * Kubernetes LimitRange gives a service container as its requests.
 */
function describeStandingServices(options: { plan: EnvironmentPlan; startedAt: Date }): StandingContainer[] {
  const { plan, startedAt } = options;
  const { cpu, memory } = plan.environment.resources;
  const cpuMillis = parseCpuMillis(cpu);
  const memoryBytes = parseMemoryBytes(memory);
  if (cpuMillis === undefined || memoryBytes === undefined) {
    throw new PaddockError("COST_INPUT_INVALID", `services of ${plan.environment.name} have unreadable resources cpu=${cpu} memory=${memory}`, {
      hint: "pass Kubernetes quantities such as 500m and 2Gi",
    });
  }
  return plan.services.map((service) => ({ name: service.name, requests: { cpuMillis, memoryBytes }, startedAt }));
}

function toProgress(result: StepResult): StepProgress {
  const progress: StepProgress = { name: result.name, status: result.status, durationMs: result.durationMs, result };
  if (!result.report) return progress;
  const report = readStepReport(result.report);
  return report.ok ? { ...progress, failures: report.failures, tests: report.tests } : { ...progress, reportProblem: report.problem };
}

function replaceStep(view: CheckRunView, index: number, step: StepProgress): CheckRunView {
  return { ...view, steps: view.steps.map((current, position) => (position === index ? step : current)) };
}

function cancel(view: CheckRunView, signal: AbortSignal): CheckRunView {
  const steps = view.steps.map((step): StepProgress =>
    step.status === "queued" || step.status === "running" ? { ...step, status: step.status === "running" ? "cancelled" : "skipped" } : step,
  );
  return { ...view, steps, status: "completed", conclusion: "cancelled", headline: describeError(signal.reason) };
}
