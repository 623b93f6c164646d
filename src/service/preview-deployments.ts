import type { Logger } from "pino";
import type { EnvironmentPlan } from "../environments/plan-environment.ts";
import { createPreviewDeployment, PREVIEW_DEPLOYMENT_ANNOTATION, setPreviewStatus, type DeploymentTarget, type PreviewState } from "../github/preview-deployment.ts";
import type { Provider } from "../providers/provider.ts";
import { describePrepareFailure } from "../pipeline/describe-prepare-failure.ts";

/** A run's preview deployment: the provider to run with, and the call that reports how the run ended. */
export interface RunPreview {
  /** The provider, wrapped so that the deployment turns `success` once the environment is ready. */
  provider: Provider;
  /** Sets the final state once the pipeline ended: `failure` when it never got ready, `inactive` when it was cancelled first. */
  finish(options: { cancelled: boolean }): Promise<void>;
}

/**
 * Opens the GitHub deployment of a run whose plan exposes a service at a preview host, so the
 * pull request shows GitHub's "View deployment" button. Returns undefined when the plan has no
 * preview host, or when GitHub did not create the deployment (logged; the run goes on without one).
 * The deployment id goes into the environment's annotations, so a teardown can mark it inactive.
 */
export async function openPreviewDeployment(options: { target: DeploymentTarget; plan: EnvironmentPlan; provider: Provider; logger: Logger }): Promise<RunPreview | undefined> {
  const { target, plan, provider, logger } = options;
  const host = plan.environment.stack?.expose?.host;
  if (host === undefined) return undefined;

  let deploymentId: number;
  try {
    deploymentId = await createPreviewDeployment({ ...target, environmentName: plan.environment.name, sha: plan.source.sha });
  } catch (error) {
    logger.warn({ err: error, environment: plan.environment.name }, "preview deployment not created");
    return undefined;
  }
  plan.environment.annotations[PREVIEW_DEPLOYMENT_ANNOTATION] = String(deploymentId);
  logger.info({ deploymentId, host }, "preview deployment created");

  let settled: PreviewState | undefined;
  let prepared = false;
  const report = async (state: PreviewState, description: string, environmentUrl?: string): Promise<void> => {
    if (settled !== undefined && settled !== "success") return;
    if (settled === state) return;
    settled = state;
    try {
      await setPreviewStatus({ ...target, deploymentId, state, description, ...(environmentUrl === undefined ? {} : { environmentUrl }) });
    } catch (error) {
      logger.warn({ err: error, deploymentId, state }, "preview deployment status not set");
    }
  };
  const templateUrl = `https://${host}`;
  const waitsForServices = provider.startServices !== undefined && (plan.environment.stack?.services.length ?? 0) > 0;

  const wrapped: Provider = {
    ...provider,
    kind: provider.kind,
    async prepare(request) {
      try {
        const environment = await provider.prepare(request);
        prepared = true;
        if (!waitsForServices) await report("success", "Environment ready", templateUrl);
        return environment;
      } catch (error) {
        await report("failure", describePrepareFailure(error));
        throw error;
      }
    },
  };
  if (provider.startServices) {
    const startServices = provider.startServices.bind(provider);
    wrapped.startServices = async (request) => {
      const started = await startServices(request);
      // A provider that exposes the service itself reports its URL; the template is the fallback.
      if (started.ready) await report("success", "Environment ready", started.previewUrl ?? templateUrl);
      else await report("failure", "Services did not become ready");
      return started;
    };
  }

  return {
    provider: wrapped,
    async finish({ cancelled }) {
      if (settled === "success" || settled === "failure") return;
      // A prepared environment whose services were never started is as ready as it gets.
      if (prepared) await report("success", "Environment ready", templateUrl);
      else if (cancelled) await report("inactive", "Cancelled before the environment was ready");
      else await report("failure", "The pipeline ended before the environment was ready");
    },
  };
}
