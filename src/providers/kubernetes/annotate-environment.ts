import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { KubeClient } from "./kube-client.ts";

const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/**
 * Sets or removes (value null) annotations on an environment's namespace with one merge patch,
 * leaving the fields that server-side apply manages alone.
 */
export async function annotateEnvironment(options: { client: KubeClient; name: string; annotations: Record<string, string | null> }): Promise<void> {
  const { client, name, annotations } = options;
  await client.call({ environment: name, target: { verb: "patch", resource: "namespaces", group: "", name } }, (apis) =>
    apis.core.patchNamespace({ name, body: { metadata: { annotations } } }, MERGE_PATCH),
  );
}
