import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { PaddockError } from "../errors.ts";
import { createKubernetesProvider } from "../providers/kubernetes/kubernetes-provider.ts";
import { createLocalProvider } from "../providers/local/local-provider.ts";
import type { Provider } from "../providers/provider.ts";

/** Builds the provider of a step; tests pass their own, such as one whose pods a simulated kubelet ends. */
export type ActionProviderFactory = (options: {
  kubeconfigPath: string | undefined;
  stateDir: string;
  logger: Logger;
  /** Maximum bytes of output in each step and service log of the local provider; the Kubernetes provider keeps no such log. */
  logMaxBytes: number;
}) => Promise<Provider>;

/**
 * Creates the Kubernetes provider from the kubeconfig file when there is one, else the local
 * provider, which runs each step in a bubblewrap sandbox on the runner with its state under
 * `stateDir` and its step and service logs capped at `logMaxBytes`.
 */
export const createActionProvider: ActionProviderFactory = async ({ kubeconfigPath, stateDir, logger, logMaxBytes }) => {
  if (kubeconfigPath === undefined) return createLocalProvider({ stateDir, sandbox: "bwrap", logger, logMaxBytes });
  const loadKubeConfig = (): KubeConfig => loadActionKubeConfig(kubeconfigPath);
  return createKubernetesProvider({ kubeConfig: loadKubeConfig(), loadKubeConfig, logger });
};

/** Loads the kubeconfig file written from the `kubeconfig` input, with errors that never quote it. */
export function loadActionKubeConfig(path: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(path);
  } catch (error) {
    // The library's message may quote the file, so only the error's name is kept.
    const cause = error instanceof Error ? error.name : undefined;
    throw new PaddockError("USAGE", "input kubeconfig is not a valid kubeconfig", { hint: "pass the whole kubeconfig file, such as a secret that contains its YAML", cause });
  }
  if (!kubeConfig.getCurrentCluster()) throw new PaddockError("USAGE", "input kubeconfig has no current cluster", { hint: "set current-context to a context whose cluster is listed" });
  return kubeConfig;
}
