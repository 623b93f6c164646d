import { describe, expect, it } from "vitest";

import { buildEnvironmentManifests } from "../../../src/providers/kubernetes/manifests/environment-manifests.ts";
import { buildStepJobManifest, STEP_CONTAINER_NAME } from "../../../src/providers/kubernetes/manifests/job-manifest.ts";
import { PREVIEW_HOST_ANNOTATION } from "../../../src/providers/kubernetes/manifests/namespace-manifest.ts";
import { nameSourceSecret, SOURCE_SECRET_PREFIX } from "../../../src/providers/kubernetes/manifests/source-secret-manifest.ts";
import type { EnvironmentSpec, StepSpec } from "../../../src/providers/provider.ts";

const environment: EnvironmentSpec = {
  name: "shop-pr-7-0123456789",
  labels: { "app.kubernetes.io/managed-by": "paddock" },
  annotations: {},
  resources: { cpu: "1", memory: "1Gi" },
  egress: [],
  ttlSeconds: 3600,
  stack: { images: [], services: [], deploySteps: true },
};
const options = { podSecurityVersion: "v1.37", ephemeralStorage: "4Gi" };

/** Returns the step container's variables, as name=value, of a step's Job. */
function stepVariables(step: Partial<StepSpec>): string[] {
  const job = buildStepJobManifest({
    environment,
    step: { name: "deploy", run: "helm upgrade --install shop chart", timeoutSeconds: 600, env: {}, ...step },
    jobName: "deploy-0123456-abcdef",
    secretName: nameSourceSecret("deploy-0123456-abcdef"),
    sourceUrl: "https://api.github.com/repos/acme/shop/tarball/0123456789abcdef0123456789abcdef01234567",
    image: "alpine/helm:3",
    sourceImage: "curlimages/curl:8.11.1",
    ephemeralStorage: "4Gi",
    podAnnotations: {},
  });
  const container = job.spec?.template.spec?.containers.find((candidate) => candidate.name === STEP_CONTAINER_NAME);
  return (container?.env ?? []).filter((variable) => variable.value !== undefined).map((variable) => `${variable.name}=${variable.value}`);
}

describe("deploy step manifests", () => {
  it("points Helm at ConfigMaps", () => {
    expect(stepVariables({ deploy: true })).toContain("HELM_DRIVER=configmap");
  });

  it("keeps the step's own Helm driver", () => {
    const variables = stepVariables({ deploy: true, env: { HELM_DRIVER: "memory" } });

    expect(variables.filter((variable) => variable.startsWith("HELM_DRIVER="))).toEqual(["HELM_DRIVER=memory"]);
  });

  it("leaves other steps without a Helm driver", () => {
    expect(stepVariables({}).filter((variable) => variable.startsWith("HELM_DRIVER="))).toEqual([]);
  });

  it("names source secrets with the policy's prefix", () => {
    expect(nameSourceSecret("e2e-0123456-abcdef")).toBe("paddock-source-e2e-0123456-abcdef");
    expect(SOURCE_SECRET_PREFIX).toBe("paddock-source-");
  });

  it("annotates the namespace with the preview host", () => {
    const exposed = { ...environment, stack: { ...environment.stack!, expose: { service: "web", port: 8080, host: "shop-pr-7.preview.example.com" } } };

    const { namespace } = buildEnvironmentManifests(exposed, options);

    expect(namespace.metadata?.annotations?.[PREVIEW_HOST_ANNOTATION]).toBe("shop-pr-7.preview.example.com");
  });

  it("leaves the annotation out without a preview", () => {
    const { namespace } = buildEnvironmentManifests(environment, options);

    expect(namespace.metadata?.annotations?.[PREVIEW_HOST_ANNOTATION]).toBeUndefined();
  });
});
