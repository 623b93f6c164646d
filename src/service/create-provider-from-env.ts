import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { CLUSTER_NAME_PATTERN } from "../cost/price-table-schema.ts";
import { describeError, PaddockError } from "../errors.ts";
import { readLogMaxBytes } from "../providers/local/capped-log.ts";
import { findBwrap } from "../providers/local/find-bwrap.ts";
import { createLocalProvider } from "../providers/local/local-provider.ts";
import { createKubernetesProvider } from "../providers/kubernetes/kubernetes-provider.ts";
import { readKubeConfigFile } from "../providers/kubernetes/read-kubeconfig-file.ts";
import type { Provider } from "../providers/provider.ts";

/**
 * Creates the provider PADDOCK_PROVIDER names: `local` (the default; PADDOCK_SANDBOX picks
 * `bwrap` or `none`) or `kubernetes`, with credentials from the kubeconfig file that
 * PADDOCK_KUBECONFIG names, or from the pod's service account when Paddock runs in a cluster.
 * Default kubeconfig locations are never read. PADDOCK_POD_ANNOTATIONS, a JSON object of
 * strings, adds annotations to every step pod, for admission webhooks or a simulated kubelet.
 * PADDOCK_LOG_MAX_BYTES caps each log the local provider writes on the host.
 */
export async function createProviderFromEnv(options: { env: NodeJS.ProcessEnv; stateDir: string; logger: Logger }): Promise<Provider> {
  const { env, stateDir, logger } = options;
  const kind = env.PADDOCK_PROVIDER ?? "local";
  // Read for every provider, so a bad name stops the app at start-up whichever provider it runs.
  const cluster = readClusterName(env.PADDOCK_CLUSTER);
  if (kind === "kubernetes") {
    const loadKubeConfig = (): KubeConfig => readKubeConfig(env);
    const annotations = readPodAnnotations(env.PADDOCK_POD_ANNOTATIONS);
    const provider = createKubernetesProvider({ kubeConfig: loadKubeConfig(), loadKubeConfig, logger, ...(annotations ? { podAnnotations: () => annotations } : {}) });
    return cluster === undefined ? provider : { ...provider, kind: provider.kind, cluster };
  }
  if (kind !== "local") throw new PaddockError("USAGE", `PADDOCK_PROVIDER=${kind} is invalid`, { hint: "set local (the default) or kubernetes" });

  if (cluster !== undefined) logger.warn({ cluster }, "PADDOCK_CLUSTER is ignored: only the kubernetes provider names a cluster");
  const logMaxBytes = readLogMaxBytes(env);
  const sandbox = env.PADDOCK_SANDBOX ?? "bwrap";
  if (sandbox !== "bwrap" && sandbox !== "none") {
    throw new PaddockError("USAGE", `PADDOCK_SANDBOX=${sandbox} is invalid`, { hint: "set bwrap (the default) or none" });
  }
  if (sandbox === "bwrap") {
    // Checked at start so an operator sees it at once; steps would fail with the same message.
    await findBwrap().catch((error: unknown) => logger.error({ detail: describeError(error) }, "sandbox unavailable"));
  } else {
    logger.warn("PADDOCK_SANDBOX=none: steps run without a sandbox");
  }
  return createLocalProvider({ stateDir, sandbox, logger, logMaxBytes });
}

/** Loads cluster credentials from PADDOCK_KUBECONFIG, or from the pod's service account in a cluster. */
export function readKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (env.PADDOCK_KUBECONFIG) {
    return readKubeConfigFile({ name: "PADDOCK_KUBECONFIG", value: env.PADDOCK_KUBECONFIG });
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig.loadFromCluster();
  } else {
    throw new PaddockError("USAGE", "PADDOCK_PROVIDER=kubernetes needs cluster credentials", {
      hint: "set PADDOCK_KUBECONFIG to a kubeconfig file, or run Paddock in the cluster with the deploy/ manifests",
    });
  }
  return kubeConfig;
}

function readPodAnnotations(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined || text === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const isStringMap = typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === "string");
  if (!isStringMap) {
    throw new PaddockError("USAGE", `PADDOCK_POD_ANNOTATIONS=${text} is invalid`, { hint: 'set a JSON object whose values are strings, such as {"sidecar.istio.io/inject":"false"}' });
  }
  return value as Record<string, string>;
}

/** Reads PADDOCK_CLUSTER, the name the org policy's `cost.clusters` and audit records use for this cluster. */
export function readClusterName(text: string | undefined): string | undefined {
  if (text === undefined || text === "") return undefined;
  if (!CLUSTER_NAME_PATTERN.test(text)) {
    throw new PaddockError("USAGE", `PADDOCK_CLUSTER=${JSON.stringify(text)} is invalid`, {
      hint: "set a name of 1 to 63 letters, digits, dots, dashes or underscores that starts with a letter or digit, such as prod-eu-1",
    });
  }
  return text;
}
