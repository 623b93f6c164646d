import { access, constants } from "node:fs/promises";

import type { Logger } from "pino";

import { PaddockError } from "../../errors.ts";
import type { PreparedEnvironment, ServiceSpec, StartedServices } from "../provider.ts";
import type { LocalStateLayout } from "./local-state.ts";
import { startServiceSandbox, type ServiceSandbox } from "./service-sandbox.ts";
import { DEFAULT_NSENTER_PATH, type SandboxMode, type ServiceNetwork, type StepCommandFactory } from "./step-command.ts";

/**
 * The service sandboxes of the local provider, one at most per environment. A newer run's
 * services replace an older run's, and teardown stops them.
 */
export class LocalServices {
  private readonly running = new Map<string, ServiceSandbox>();

  constructor(
    private readonly options: {
      layout: LocalStateLayout;
      commands: StepCommandFactory;
      sandbox: SandboxMode;
      nsenterPath?: string;
      logger: Pick<Logger, "info" | "warn">;
      tailLines?: number;
      logMaxBytes?: number;
    },
  ) {}

  /** Starts the services of a prepared environment over its checkout; see `Provider.startServices`. */
  async start(request: { prepared: PreparedEnvironment; checkout: string; services: readonly ServiceSpec[]; signal: AbortSignal }): Promise<StartedServices> {
    const { prepared, checkout, services, signal } = request;
    const name = prepared.environment.name;
    const shareNetwork = prepared.environment.egress.includes("*");
    const sandboxed = this.options.sandbox === "bwrap";
    if (sandboxed && !shareNetwork) await this.checkNsenter();
    await this.stop(name);

    const logger = this.options.logger;
    const sandbox = await startServiceSandbox({
      services,
      commands: this.options.commands,
      checkout,
      shareNetwork,
      sandboxed,
      logPathFor: (service) => this.options.layout.serviceLogPath(name, prepared.sha, service),
      signal,
      logger,
      ...(this.options.tailLines === undefined ? {} : { tailLines: this.options.tailLines }),
      ...(this.options.logMaxBytes === undefined ? {} : { logMaxBytes: this.options.logMaxBytes }),
    });
    if (!sandbox.started.ready) return sandbox.started;

    this.running.set(name, sandbox);
    const stop = async (): Promise<void> => {
      if (this.running.get(name) === sandbox) this.running.delete(name);
      await sandbox.started.stop();
    };
    return { ...sandbox.started, stop };
  }

  /** Returns the network namespace that steps of `environmentName` join, when its services run in one. */
  networkFor(environmentName: string): ServiceNetwork | undefined {
    return this.running.get(environmentName)?.network;
  }

  /** Stops the services of one environment, if any run. */
  async stop(environmentName: string): Promise<void> {
    const sandbox = this.running.get(environmentName);
    if (sandbox === undefined) return;
    this.running.delete(environmentName);
    await sandbox.started.stop();
  }

  private async checkNsenter(): Promise<void> {
    const nsenter = this.options.nsenterPath ?? DEFAULT_NSENTER_PATH;
    try {
      await access(nsenter, constants.X_OK);
    } catch (error) {
      throw new PaddockError("SANDBOX_UNAVAILABLE", `nsenter not found at ${nsenter}: steps join the services' network namespace with it`, {
        hint: 'Install util-linux ("apt-get install util-linux"), or remove services from the config',
        cause: error,
      });
    }
  }
}
