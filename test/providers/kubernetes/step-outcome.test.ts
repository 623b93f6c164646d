import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { decideStepOutcome } from "../../../src/providers/kubernetes/step-outcome.ts";

function job(type: string, reason?: string): V1Job {
  return { status: { conditions: [{ type, status: "True", ...(reason ? { reason } : {}) }] } };
}

function pod(step: { exitCode: number; message?: string } | undefined, source?: { exitCode: number; message?: string }): V1Pod {
  return {
    metadata: { name: "build-abc", creationTimestamp: new Date(0) },
    status: {
      ...(step ? { containerStatuses: [{ name: "step", image: "i", imageID: "", ready: false, restartCount: 0, state: { terminated: step } }] } : {}),
      ...(source ? { initContainerStatuses: [{ name: "source", image: "i", imageID: "", ready: false, restartCount: 0, state: { terminated: source } }] } : {}),
    },
  };
}

const base = { failedCreate: undefined, timeoutSeconds: 600 };

describe("decideStepOutcome", () => {
  it("running job has no outcome", () => {
    expect(decideStepOutcome({ ...base, job: { status: {} }, pods: [] })).toBeUndefined();
  });

  it("complete job succeeds", () => {
    const outcome = decideStepOutcome({ ...base, job: job("Complete"), pods: [pod({ exitCode: 0, message: "{}" })] });

    expect([outcome?.status, outcome?.exitCode, outcome?.terminationMessage, outcome?.podStateMissing]).toEqual(["success", 0, "{}", false]);
  });

  it("failed job reports exit code", () => {
    const outcome = decideStepOutcome({ ...base, job: job("Failed", "BackoffLimitExceeded"), pods: [pod({ exitCode: 2 })] });

    expect([outcome?.status, outcome?.exitCode, outcome?.reason]).toEqual(["failure", 2, "exited with code 2"]);
  });

  it("deadline becomes timed_out", () => {
    const outcome = decideStepOutcome({ ...base, job: job("Failed", "DeadlineExceeded"), pods: [] });

    expect([outcome?.status, outcome?.exitCode, outcome?.reason]).toEqual(["timed_out", null, "timed out after 10m"]);
  });

  it("failed source fetch is named", () => {
    const outcome = decideStepOutcome({ ...base, job: job("Failed", "BackoffLimitExceeded"), pods: [pod(undefined, { exitCode: 22, message: "curl: (22) 404" })] });

    expect(outcome?.reason).toBe("fetching the source failed with exit code 22: curl: (22) 404");
  });

  it("missing pod state asks for a refresh", () => {
    const outcome = decideStepOutcome({ ...base, job: job("Failed", "BackoffLimitExceeded"), pods: [] });

    expect(outcome?.podStateMissing).toBe(true);
  });

  it("FailedCreate without pods fails", () => {
    const outcome = decideStepOutcome({ ...base, job: { status: {} }, pods: [], failedCreate: { reason: "FailedCreate", message: "exceeded quota" } });

    expect([outcome?.status, outcome?.reason]).toEqual(["failure", "the step's pod could not be created (FailedCreate): exceeded quota"]);
  });
});
