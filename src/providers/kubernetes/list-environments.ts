import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../environments/environment-labels.ts";
import type { KubeClient } from "./kube-client.ts";

/** Label selector that finds every namespace Paddock manages. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
/** Name under which the list request is counted, since it serves no single environment. */
export const LIST_CALL_ENVIRONMENT = "(all environments)";

/** An environment as its namespace records it, for the sweeper and for restarts. */
export interface KubernetesEnvironmentRecord {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `Active`, or `Terminating` while it is being deleted. */
  phase: string;
  createdAt: string | undefined;
}

/** Lists every Paddock environment with one list request for namespaces by label, sorted by name. */
export async function listEnvironments(options: { client: KubeClient }): Promise<KubernetesEnvironmentRecord[]> {
  const list = await options.client.call(
    { environment: LIST_CALL_ENVIRONMENT, target: { verb: "list", resource: "namespaces", group: "" } },
    (apis) => apis.core.listNamespace({ labelSelector: MANAGED_SELECTOR }),
  );
  return list.items
    .map((namespace) => ({
      name: namespace.metadata?.name ?? "",
      labels: namespace.metadata?.labels ?? {},
      annotations: namespace.metadata?.annotations ?? {},
      phase: namespace.status?.phase ?? "Active",
      createdAt: namespace.metadata?.creationTimestamp?.toISOString(),
    }))
    .sort((left, right) => left.name.localeCompare(right.name));
}
