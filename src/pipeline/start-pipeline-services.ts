import type { Logger } from "pino";

import type { ServiceProgress } from "../checks/check-run-view.ts";
import { describeError } from "../errors.ts";
import type { PreparedEnvironment, Provider, ServiceSpec, StartedServices } from "../providers/provider.ts";

/** Outcome of starting a run's services: every service ready, or the headline that explains the failure. */
export type PipelineServices =
  | { ready: true; progress: ServiceProgress[]; started: StartedServices }
  | { ready: false; progress: ServiceProgress[]; headline: string };

/** Returns the services table of a run that is about to start its services. */
export function listStartingServices(services: readonly ServiceSpec[]): ServiceProgress[] {
  return services.map((service) => ({ name: service.name, status: "starting" }));
}

/**
 * Starts a run's services on the provider and waits until each is ready. When one is not, or
 * the provider fails, the services are stopped and the result carries the check run's headline.
 */
export async function startPipelineServices(options: {
  provider: Provider;
  prepared: PreparedEnvironment;
  services: readonly ServiceSpec[];
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn" | "error">;
}): Promise<PipelineServices> {
  const { provider, prepared, services, signal, logger } = options;
  if (provider.startServices === undefined) {
    const progress = services.map((service): ServiceProgress => ({ name: service.name, status: "skipped" }));
    return { ready: false, progress, headline: `Services could not start: the ${provider.kind} provider does not run services; remove services from the config or use another provider` };
  }

  let started: StartedServices;
  try {
    started = await provider.startServices({ prepared, services, signal });
  } catch (error) {
    logger.error({ err: error }, "services could not start");
    const progress = services.map((service): ServiceProgress => ({ name: service.name, status: "skipped" }));
    return { ready: false, progress, headline: `Services could not start: ${describeError(error)}` };
  }
  const progress = started.services.map((status): ServiceProgress => ({ ...status }));
  for (const status of started.services) {
    if (status.status === "ready") logger.info({ service: status.name, readyMs: status.readyMs }, "service ready");
    else if (status.status === "failed") logger.warn({ service: status.name, reason: status.reason }, "service failed");
  }
  if (started.ready) return { ready: true, progress, started };

  await started.stop();
  const failed = started.services.find((status) => status.status === "failed");
  const headline = `A service failed, so no step ran: ${failed?.reason ?? "the provider gave no reason"}`;
  return { ready: false, progress, headline };
}
