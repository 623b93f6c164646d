import { describe, expect, it } from "vitest";

import { describeBuildFailure } from "../../../src/providers/kubernetes/describe-build-failure.ts";
import type { KubeClient } from "../../../src/providers/kubernetes/kube-client.ts";
import type { StepOutcome } from "../../../src/providers/kubernetes/step-outcome.ts";
import type { ImageBuildSpec } from "../../../src/providers/provider.ts";

const IMAGE = { name: "web", repository: "registry.invalid/acme/shop/web", tag: "abc" } as ImageBuildSpec;
const OUTCOME: StepOutcome = {
  status: "failure",
  exitCode: 1,
  reason: "exited with code 1",
  terminationMessage: "ERROR: failed to solve\n",
  jobFailure: { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
  pod: { metadata: { name: "build-web-abc-1" } },
  podStateMissing: false,
};
const HEADLINE =
  "image web (registry.invalid/acme/shop/web:abc): Job paddock-builds/build-web-abc failed (BackoffLimitExceeded: Job has reached the specified backoff limit): exited with code 1: ERROR: failed to solve";

/** Returns a client whose only request, the pod log, returns `log` or rejects with it. */
function clientWithLog(log: string | Error): KubeClient {
  const readNamespacedPodLog = async () => (log instanceof Error ? Promise.reject(log) : log);
  return { call: (_call: unknown, send: (apis: unknown) => Promise<unknown>) => send({ core: { readNamespacedPodLog } }) } as unknown as KubeClient;
}

function describeWith(log: string | Error, warnings: unknown[] = []) {
  return describeBuildFailure({ client: clientWithLog(log), environment: "shop-pr-1", namespace: "paddock-builds", jobName: "build-web-abc", image: IMAGE, outcome: OUTCOME, logger: { warn: (fields: unknown) => void warnings.push(fields) } });
}

describe("describeBuildFailure", () => {
  it("quotes the last log lines", async () => {
    expect(await describeWith("#5 [2/3] RUN npm ci\n#5 ERROR: exit code: 1\n")).toBe(`${HEADLINE}\nLast 2 lines of the build log:\n#5 [2/3] RUN npm ci\n#5 ERROR: exit code: 1`);
  });

  it("leaves out an unavailable log", async () => {
    const warnings: unknown[] = [];

    expect(await describeWith(new Error("no kubelet"), warnings)).toBe(HEADLINE);
    expect(warnings).toHaveLength(1);
  });

  it("leaves out an empty log", async () => {
    expect(await describeWith("\n")).toBe(HEADLINE);
  });
});
