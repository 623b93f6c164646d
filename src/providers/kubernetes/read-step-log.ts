import { describeError } from "../../errors.ts";
import type { KubeClient } from "./kube-client.ts";

/** Lines of a step's log kept in its result. */
export const LOG_TAIL_LINES = 50;
/** Maximum bytes of a step's log kept in its result (16 KiB). */
export const LOG_TAIL_BYTES = 16 * 1024;

/**
 * Reads the last lines of a container's log through the API server, which fetches it from the
 * node's kubelet. Where no kubelet serves logs (kwok, or a node that is gone), the tail states
 * that the log is unavailable and why, instead of failing the step.
 */
export async function readStepLogTail(options: { client: KubeClient; namespace: string; podName: string; container: string }): Promise<{ text: string; truncated: boolean }> {
  const { client, namespace, podName, container } = options;
  try {
    const log = await client.call({ environment: namespace, target: { verb: "get", resource: "pods/log", group: "", namespace, name: podName } }, (apis) =>
      apis.core.readNamespacedPodLog({ name: podName, namespace, container, tailLines: LOG_TAIL_LINES, limitBytes: LOG_TAIL_BYTES }),
    );
    // The API server does not say whether it cut the log, so a full tail counts as cut.
    const truncated = log.split("\n").length > LOG_TAIL_LINES || Buffer.byteLength(log) >= LOG_TAIL_BYTES;
    return { text: log, truncated };
  } catch (error) {
    return { text: `Log unavailable: ${describeError(error)}`, truncated: false };
  }
}
