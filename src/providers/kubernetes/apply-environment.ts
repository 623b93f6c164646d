import type { KubernetesObject, V1Namespace, V1ResourceQuota } from "@kubernetes/client-node";
import type { Logger } from "pino";

import { LABEL_PREFIX } from "../../environments/environment-labels.ts";
import { PaddockError } from "../../errors.ts";
import type { EnvironmentSpec } from "../provider.ts";
import { applyObject } from "./apply-object.ts";
import type { KubeClient } from "./kube-client.ts";
import type { EnvironmentManifests } from "./manifests/environment-manifests.ts";
import { RESOURCE_QUOTA_NAME } from "./manifests/quota-manifests.ts";
import { describeTerminatingNamespace, readNamespace, waitForNamespaceGone } from "./namespace-state.ts";
import { waitForObject } from "./wait-for-object.ts";

/** Label whose value identifies the environment's key; a namespace with another value is never adopted. */
export const KEY_LABEL = `${LABEL_PREFIX}/key`;
/** Maximum time until the quota controller fills in a new ResourceQuota's status. */
export const QUOTA_READY_TIMEOUT_MS = 30_000;

/** Options of {@link applyEnvironment}. */
export interface ApplyEnvironmentOptions {
  client: KubeClient;
  environment: EnvironmentSpec;
  manifests: EnvironmentManifests;
  /** Maximum wait for an old namespace of the same name to finish terminating. */
  terminatingTimeoutMs: number;
  signal?: AbortSignal;
  logger: Pick<Logger, "info" | "warn">;
}

/**
 * Creates or updates an environment's objects with one apply request each, after checking that
 * the namespace is free or already this environment's, and waiting (bounded) for an old one
 * that is still terminating. Resolves once the ResourceQuota is in force, because the quota
 * admission rejects pods until the quota controller has filled in its status. Returns whether
 * the namespace was created by this call, and notes worth showing, such as the wait.
 */
export async function applyEnvironment(options: ApplyEnvironmentOptions): Promise<{ created: boolean; notes: string[] }> {
  const { client, environment, manifests, signal } = options;
  const notes: string[] = [];
  const name = environment.name;

  // 1. The namespace must be absent, or this environment's.
  const existing = await readNamespace({ client, environment: name, name, ...(signal ? { signal } : {}) });
  if (existing !== undefined) assertSameEnvironment(existing, environment);
  if (existing?.metadata?.deletionTimestamp !== undefined) notes.push(await waitForOldNamespace(options));

  // 2. The namespace, then what lives in it, then the RoleBindings, whose Role must exist first.
  const apply = (object: KubernetesObject): Promise<KubernetesObject> => applyObject({ client, environment: name, object, ...(signal ? { signal } : {}) });
  await apply(manifests.namespace);
  const applied = await Promise.all(manifests.independent.map(apply));
  await Promise.all(manifests.roleBindings.map(apply));

  // 3. The quota is in force once its status lists what it limits.
  const quota = applied.find((object) => object.kind === "ResourceQuota") as V1ResourceQuota | undefined;
  if (!isQuotaReady(quota)) await waitForQuota(options);
  const created = existing === undefined || existing.metadata?.deletionTimestamp !== undefined;
  return { created, notes };
}

/** Returns true once the quota controller has filled in the status for every limit in the spec. */
export function isQuotaReady(quota: V1ResourceQuota | undefined): boolean {
  const hard = quota?.spec?.hard ?? {};
  const status = quota?.status?.hard ?? {};
  return quota !== undefined && Object.keys(hard).every((resource) => status[resource] === hard[resource]);
}

function assertSameEnvironment(namespace: V1Namespace, environment: EnvironmentSpec): void {
  const expected = environment.labels[KEY_LABEL];
  const found = namespace.metadata?.labels?.[KEY_LABEL];
  if (expected !== undefined && found === expected) return;
  const owner = found === undefined ? "has no paddock.dev/key label, so Paddock did not create it" : `belongs to the environment with key ${found}`;
  throw new PaddockError("ENVIRONMENT_CONFLICT", `namespace ${environment.name} already exists and ${owner}; expected key ${expected ?? "(none)"}`, {
    hint: "Delete or rename that namespace, or check for two environment keys that hash to the same name",
  });
}

async function waitForOldNamespace(options: ApplyEnvironmentOptions): Promise<string> {
  const { client, environment, terminatingTimeoutMs, logger } = options;
  const startedAt = Date.now();
  logger.info({ environment: environment.name }, "waiting for the old namespace to finish terminating");
  const outcome = await waitForNamespaceGone({
    client,
    environment: environment.name,
    name: environment.name,
    timeoutMs: terminatingTimeoutMs,
    logger,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!outcome.gone) {
    throw new PaddockError("ENVIRONMENT_TERMINATING", `namespace ${environment.name} was still terminating after ${terminatingTimeoutMs} ms: ${describeTerminatingNamespace(outcome.namespace)}`, {
      hint: "Remove what holds it (often a finalizer on an object inside), then run again",
    });
  }
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  return `Waited ${seconds} s for the previous namespace ${environment.name} to finish terminating.`;
}

async function waitForQuota(options: ApplyEnvironmentOptions): Promise<void> {
  const { client, environment } = options;
  const namespace = environment.name;
  const outcome = await waitForObject<V1ResourceQuota, true>({
    client,
    environment: namespace,
    target: { resource: "resourcequotas", group: "", namespace },
    path: `/api/v1/namespaces/${namespace}/resourcequotas`,
    name: RESOURCE_QUOTA_NAME,
    typeName: "V1ResourceQuota",
    list: (apis, fieldSelector) => apis.core.listNamespacedResourceQuota({ namespace, fieldSelector }),
    until: (quota) => (isQuotaReady(quota) ? true : undefined),
    timeoutMs: QUOTA_READY_TIMEOUT_MS,
    logger: options.logger,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!outcome.done) {
    throw new PaddockError("KUBERNETES_REQUEST_FAILED", `ResourceQuota ${RESOURCE_QUOTA_NAME} in ${namespace} got no status within ${QUOTA_READY_TIMEOUT_MS} ms`, {
      hint: "Check that kube-controller-manager runs its resourcequota controller",
    });
  }
}
