import { inject } from "vitest";

import { connectToControlPlane, type ControlPlaneClients, type ControlPlaneConnection } from "./kubeconfig.ts";

/**
 * Returns the control plane that the cluster tests' global setup started,
 * with `kubeConfig(user)` and `kubeconfigYaml(user)`. Tests share it, so each
 * test should work in a namespace of its own.
 */
export function useSharedControlPlane(): ControlPlaneConnection & ControlPlaneClients {
  const connection = inject("controlPlane");
  if (connection === undefined) {
    throw new Error("No shared control plane was provided: run cluster tests with 'npm run test:cluster', and exclude test/cluster/** from the default vitest config");
  }
  return connectToControlPlane(connection);
}
