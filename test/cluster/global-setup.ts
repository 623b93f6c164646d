import type { TestProject } from "vitest/node";

import { ensureBinaries } from "./binaries.ts";
import { startControlPlane } from "./control-plane.ts";
import type { ControlPlaneConnection } from "./kubeconfig.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared control plane of the cluster tests; see test/cluster/shared-control-plane.ts. */
    controlPlane: ControlPlaneConnection;
  }
}

/**
 * Builds the binaries if any is missing, starts one control plane for all
 * cluster test files and provides its connection as `controlPlane`. Set
 * PADDOCK_CLUSTER_KEEP=1 to keep its directory and logs after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = ensureBinaries();
  const controlPlane = await startControlPlane({ binDir, keepDirectory: process.env.PADDOCK_CLUSTER_KEEP === "1" });

  const { stop, kubeConfig, kubeconfigYaml, ...connection } = controlPlane;
  project.provide("controlPlane", connection);
  return stop;
}
