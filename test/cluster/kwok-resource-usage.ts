import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { parse } from "yaml";

import { waitUntil } from "./wait-until.ts";

/** kwok's ResourceUsage definition, applied before kwok starts. */
const DEFINITION_FILE = fileURLToPath(new URL("./kwok-resource-usage-crd.yaml", import.meta.url));
const RESOURCE_USAGE = { group: "kwok.x-k8s.io", version: "v1alpha1", plural: "resourceusages" } as const;

/** Emulated usage of every container of one pod, as Kubernetes quantities such as `200m` and `768Mi`. */
export interface EmulatedUsage {
  cpu: string;
  memory: string;
}

/** Creates the ResourceUsage CustomResourceDefinition and waits until the API serves it. */
export async function installKwokResourceUsageDefinition(kubeConfig: KubeConfig): Promise<void> {
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const body = parse(await readFile(DEFINITION_FILE, "utf8")) as V1CustomResourceDefinition;
  const name = body.metadata?.name ?? "";
  await extensions.createCustomResourceDefinition({ body });
  await waitUntil(
    async () => {
      const definition = await extensions.readCustomResourceDefinition({ name });
      return definition.status?.conditions?.some((condition) => condition.type === "Established" && condition.status === "True") ? true : undefined;
    },
    { description: `CustomResourceDefinition ${name} to be Established` },
  );
}

/**
 * Sets the usage that kwok reports for every container of pod `namespace/pod`, through a
 * ResourceUsage object named after the pod: created on the first call, replaced afterwards.
 * Changing this object, not the pod, leaves kwok's stage timers on the pod running.
 */
export async function setEmulatedUsage(options: { kubeConfig: KubeConfig; namespace: string; pod: string; usage: EmulatedUsage }): Promise<void> {
  const { namespace, pod, usage } = options;
  const objects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const spec = { usages: [{ usage: { cpu: { value: usage.cpu }, memory: { value: usage.memory } } }] };
  const target = { ...RESOURCE_USAGE, namespace };

  const existing = (await objects.getNamespacedCustomObject({ ...target, name: pod }).catch((error: unknown) => {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  })) as { metadata: { resourceVersion: string } } | undefined;

  const body = { apiVersion: `${RESOURCE_USAGE.group}/${RESOURCE_USAGE.version}`, kind: "ResourceUsage", metadata: { name: pod, namespace }, spec };
  if (existing === undefined) {
    await objects.createNamespacedCustomObject({ ...target, body });
  } else {
    await objects.replaceNamespacedCustomObject({ ...target, name: pod, body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } } });
  }
}
