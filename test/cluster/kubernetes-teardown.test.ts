import { CoreV1Api } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../src/errors.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";

const controlPlane = useSharedControlPlane();
const core = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const signal = new AbortController().signal;
const HOLD_FINALIZER = "paddock.test/hold";

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
});

describe("kubernetes teardown", () => {
  const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane) });
  const environment = buildBranchEnvironment({ repository: "acme/teardown", branch: "done" });

  it("deletes the namespace and waits", async () => {
    await provider.prepare({ environment, source: buildTestSource(), signal });

    const outcome = await provider.teardownEnvironment({ environmentName: environment.name });

    expect(outcome.status).toBe("deleted");
    const namespaces = await core.listNamespace({ fieldSelector: `metadata.name=${environment.name}` });
    expect(namespaces.items).toEqual([]);
  });

  it("second teardown succeeds", async () => {
    const outcome = await provider.teardownEnvironment({ environmentName: environment.name });

    expect(outcome.status).toBe("already_gone");
    await expect(provider.teardown({ environmentName: environment.name })).resolves.toBeUndefined();
  });
});

describe("kubernetes stuck namespace", () => {
  const environment = buildBranchEnvironment({ repository: "acme/teardown", branch: "stuck" });
  const impatient = createKubernetesProvider({ kubeConfig: impersonate(controlPlane), teardownTimeoutMs: 2_000, terminatingTimeoutMs: 2_000 });
  // The namespace controller sets the conditions after its first pass over the content, about 5 s here.
  const observant = createKubernetesProvider({ kubeConfig: impersonate(controlPlane), teardownTimeoutMs: 10_000 });
  const released: string[] = [];
  // Removes the finalizer as soon as the provider logs that it waits for the old namespace.
  const releasingLogger = pino({ level: "info" }, { write: (line: string) => void (line.includes("waiting for the old namespace") ? release() : undefined) });
  const patient = createKubernetesProvider({ kubeConfig: impersonate(controlPlane), logger: releasingLogger });

  async function release(): Promise<void> {
    released.push(environment.name);
    await core.patchNamespacedConfigMap(
      { namespace: environment.name, name: "held", body: [{ op: "remove", path: "/metadata/finalizers" }] },
    );
  }

  beforeAll(async () => {
    await impatient.prepare({ environment, source: buildTestSource(), signal });
    await core.createNamespacedConfigMap({ namespace: environment.name, body: { metadata: { name: "held", finalizers: [HOLD_FINALIZER] } } });
  });

  afterAll(async () => {
    await patient.teardown({ environmentName: environment.name });
  });

  it("reports the conditions that hold it", async () => {
    const outcome = await observant.teardownEnvironment({ environmentName: environment.name });

    expect(outcome.status).toBe("stuck");
    expect(outcome.status === "stuck" ? outcome.holdingConditions : "").toContain(`NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: ${HOLD_FINALIZER}`);
  });

  it("teardown rejects while it is stuck", async () => {
    const error = await impatient.teardown({ environmentName: environment.name }).then(() => undefined, (rejection: unknown) => rejection);

    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe("ENVIRONMENT_TERMINATING");
  });

  it("prepare gives up on it after the bound", async () => {
    const error = await impatient.prepare({ environment, source: buildTestSource(), signal }).then(() => undefined, (rejection: unknown) => rejection);

    expect((error as PaddockError).code).toBe("ENVIRONMENT_TERMINATING");
    expect((error as PaddockError).message).toContain(`namespace ${environment.name} was still terminating after 2000 ms: `);
    expect((error as PaddockError).message).toContain(`NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: ${HOLD_FINALIZER}`);
  });

  it("prepare waits for it and says so", async () => {
    const prepared = await patient.prepare({ environment, source: buildTestSource(), signal });

    expect(released).toEqual([environment.name]);
    expect(prepared.notes).toHaveLength(1);
    expect(prepared.notes?.[0]).toMatch(new RegExp(`^Waited \\d+\\.\\d s for the previous namespace ${environment.name} to finish terminating\\.$`));
  });
});
