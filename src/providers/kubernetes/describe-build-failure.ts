import type { Logger } from "pino";

import type { ImageBuildSpec } from "../provider.ts";
import type { KubeClient } from "./kube-client.ts";
import { BUILD_CONTAINER_NAME } from "./manifests/build-job-manifest.ts";
import type { StepOutcome } from "./step-outcome.ts";

/** Lines of a failed build's log quoted in its failure, which ends up in the check run. */
export const BUILD_LOG_QUOTE_LINES = 10;

/**
 * Describes a failed build Job: the image, the Job, the Job's Failed condition, and how the
 * BuildKit container ended with its termination message. The last lines of its log follow when
 * the API server can serve them. Where no kubelet serves logs (as under kwok) they are left out.
 */
export async function describeBuildFailure(options: {
  client: KubeClient;
  environment: string;
  namespace: string;
  jobName: string;
  image: ImageBuildSpec;
  outcome: StepOutcome;
  logger: Pick<Logger, "warn">;
}): Promise<string> {
  const { image, outcome, namespace, jobName } = options;
  const job = outcome.jobFailure === undefined ? "" : ` (${[outcome.jobFailure.reason, outcome.jobFailure.message].filter((part) => part !== "").join(": ")})`;
  const message = outcome.terminationMessage?.trim() ?? "";
  const headline = `image ${image.name} (${image.repository}:${image.tag}): Job ${namespace}/${jobName} failed${job}: ${outcome.reason ?? outcome.status}${message === "" ? "" : `: ${message}`}`;

  const podName = outcome.pod?.metadata?.name;
  const lines = podName === undefined ? undefined : await readLastLogLines({ ...options, podName });
  return lines === undefined ? headline : `${headline}\nLast ${lines.length === 1 ? "line" : `${lines.length} lines`} of the build log:\n${lines.join("\n")}`;
}

async function readLastLogLines(options: { client: KubeClient; environment: string; namespace: string; podName: string; logger: Pick<Logger, "warn"> }): Promise<string[] | undefined> {
  const { client, environment, namespace, podName } = options;
  try {
    const log = await client.call({ environment, target: { verb: "get", resource: "pods/log", group: "", namespace, name: podName } }, (apis) =>
      apis.core.readNamespacedPodLog({ name: podName, namespace, container: BUILD_CONTAINER_NAME, tailLines: BUILD_LOG_QUOTE_LINES }),
    );
    const lines = log.split("\n").filter((line) => line.trim() !== "");
    return lines.length === 0 ? undefined : lines.slice(-BUILD_LOG_QUOTE_LINES);
  } catch (error) {
    options.logger.warn({ err: error, environment, namespace, pod: podName }, "reading the failed build's log failed; the failure is reported without it");
    return undefined;
  }
}
