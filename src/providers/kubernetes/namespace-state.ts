import type { V1Namespace } from "@kubernetes/client-node";
import type { Logger } from "pino";

import type { KubeClient } from "./kube-client.ts";
import { isNotFoundError } from "./kubernetes-api-error.ts";
import { waitForObject } from "./wait-for-object.ts";

const NAMESPACES = { resource: "namespaces", group: "" } as const;

/** Reads a namespace, or returns undefined when it does not exist. */
export async function readNamespace(options: { client: KubeClient; environment: string; name: string; signal?: AbortSignal }): Promise<V1Namespace | undefined> {
  const { client, environment, name } = options;
  try {
    const call = { environment, target: { ...NAMESPACES, verb: "get" as const, name }, ...(options.signal ? { signal: options.signal } : {}) };
    return await client.call(call, (apis) => apis.core.readNamespace({ name }));
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}

/**
 * Waits until a namespace no longer exists. Returns `{ gone: true }`, or the namespace as last
 * seen when `timeoutMs` passed first.
 */
export async function waitForNamespaceGone(options: {
  client: KubeClient;
  environment: string;
  name: string;
  timeoutMs: number;
  signal?: AbortSignal;
  logger: Pick<Logger, "warn">;
}): Promise<{ gone: true } | { gone: false; namespace: V1Namespace | undefined }> {
  const outcome = await waitForObject<V1Namespace, true>({
    ...options,
    target: NAMESPACES,
    path: "/api/v1/namespaces",
    typeName: "V1Namespace",
    list: (apis, fieldSelector) => apis.core.listNamespace({ fieldSelector }),
    until: (namespace) => (namespace === undefined ? true : undefined),
  });
  return outcome.done ? { gone: true } : { gone: false, namespace: outcome.last };
}

/**
 * Describes what keeps a Terminating namespace from going: its status conditions that are True, such as
 * `NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining`.
 */
export function describeTerminatingNamespace(namespace: V1Namespace | undefined): string {
  const holding = (namespace?.status?.conditions ?? []).filter((condition) => condition.status === "True");
  if (holding.length === 0) return "no status condition says what holds it";
  return holding.map((condition) => `${condition.type}: ${condition.message ?? condition.reason ?? "no message"}`).join("; ");
}
