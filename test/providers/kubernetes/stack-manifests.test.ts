import { describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { buildctlArguments, buildImageJobManifest } from "../../../src/providers/kubernetes/manifests/build-job-manifest.ts";
import { parseImageDigest } from "../../../src/providers/kubernetes/manifests/build-scripts.ts";
import { buildEnvironmentManifests, listEnvironmentObjects } from "../../../src/providers/kubernetes/manifests/environment-manifests.ts";
import { multiplyQuantity } from "../../../src/providers/kubernetes/manifests/quota-manifests.ts";
import { buildServiceDeploymentManifest, serviceUrl } from "../../../src/providers/kubernetes/manifests/service-manifests.ts";
import { resolveServiceImage } from "../../../src/providers/kubernetes/start-services.ts";
import type { EnvironmentSpec, ImageBuildSpec, ServiceSpec } from "../../../src/providers/provider.ts";

const web: ServiceSpec = { name: "web", image: "web", builtImage: "web", port: 8080, ready: { http: "/healthz" }, env: { A: "1" }, timeoutSeconds: 300 };
const image: ImageBuildSpec = {
  name: "web",
  context: "services/web",
  dockerfile: "docker/web.Dockerfile",
  target: "prod",
  args: { NODE_ENV: "production", NOTE: "a b; $(rm -rf /)" },
  repository: "registry.example.com/paddock/acme/shop/web",
  tag: "c".repeat(40),
  cacheRef: "registry.example.com/paddock/acme/shop/cache",
};
const environment: EnvironmentSpec = {
  name: "shop-pr-7-0123456789",
  labels: { "app.kubernetes.io/managed-by": "paddock" },
  annotations: {},
  resources: { cpu: "500m", memory: "1.5Gi" },
  egress: [],
  ttlSeconds: 3600,
  stack: { images: [image], services: [web, { name: "db", image: "postgres:16", port: 5432, ready: { tcp: 5432 }, env: {}, timeoutSeconds: 300 }], deploySteps: true },
};
const options = { podSecurityVersion: "v1.37", ephemeralStorage: "4Gi" };

describe("buildctlArguments", () => {
  it("passes each input as one argument", () => {
    expect(buildctlArguments(image)).toEqual([
      "--frontend",
      "dockerfile.v0",
      "--local",
      "context=/workspace/services/web",
      "--local",
      "dockerfile=/workspace/docker",
      "--opt",
      "filename=web.Dockerfile",
      "--opt",
      "target=prod",
      "--opt",
      "build-arg:NODE_ENV=production",
      "--opt",
      "build-arg:NOTE=a b; $(rm -rf /)",
      "--output",
      `type=image,name=registry.example.com/paddock/acme/shop/web:${"c".repeat(40)},push=true`,
      "--import-cache",
      "type=registry,ref=registry.example.com/paddock/acme/shop/cache",
      "--export-cache",
      "type=registry,ref=registry.example.com/paddock/acme/shop/cache,mode=max",
    ]);
  });
});

describe("buildImageJobManifest", () => {
  const input = {
    environment,
    image,
    jobName: "build-web-ccccccc-abcdef",
    secretName: "build-web-ccccccc-abcdef",
    sourceUrl: "https://api.github.com/repos/acme/shop/tarball/c",
    buildkitImage: "moby/buildkit:rootless",
    sourceImage: "curl",
    timeoutSeconds: 1800,
    podAnnotations: {},
  };

  it("runs in the build namespace", () => {
    const job = buildImageJobManifest({ ...input, build: { namespace: "paddock-builds" } });

    expect(job.metadata?.namespace).toBe("paddock-builds");
    expect(job.spec?.template.spec?.runtimeClassName).toBeUndefined();
    expect(job.spec?.template.spec?.volumes?.map((volume) => volume.name)).toEqual(["workspace", "buildkit-state"]);
  });

  it("mounts only the named push secret", () => {
    const job = buildImageJobManifest({ ...input, build: { namespace: "paddock-builds", pushSecret: "push-4242", runtimeClass: "kata" } });
    const pod = job.spec?.template.spec;

    expect(pod?.runtimeClassName).toBe("kata");
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.volumes?.at(-1)).toEqual({ name: "push-credential", secret: { secretName: "push-4242", items: [{ key: ".dockerconfigjson", path: "config.json" }] } });
    expect(pod?.containers[0]?.env).toContainEqual({ name: "DOCKER_CONFIG", value: "/paddock/docker" });
    expect(pod?.initContainers?.[0]?.volumeMounts?.map((mount) => mount.name)).toEqual(["workspace"]);
  });
});

describe("parseImageDigest", () => {
  it.each([
    [`sha256:${"a".repeat(64)}\n`, `sha256:${"a".repeat(64)}`],
    [`sha256:${"a".repeat(63)}`, undefined],
    ["ERROR: failed to solve", undefined],
    [undefined, undefined],
  ])("reads %j", (message, digest) => {
    expect(parseImageDigest(message)).toBe(digest);
  });
});

describe("stack environment manifests", () => {
  it("adds the deploy account", () => {
    const objects = listEnvironmentObjects(buildEnvironmentManifests(environment, options));

    expect(objects.map((object) => `${object.kind}/${object.metadata?.name}`).slice(-4)).toEqual([
      "Role/paddock-step",
      "ServiceAccount/paddock-deploy",
      "RoleBinding/paddock-step",
      "RoleBinding/paddock-deploy",
    ]);
  });

  it("quota grows with services and deploy steps", () => {
    const quota = buildEnvironmentManifests(environment, options).independent.find((object) => object.kind === "ResourceQuota") as { spec: { hard: Record<string, string> } };

    expect(quota.spec.hard).toEqual({
      "requests.cpu": "2500m",
      "limits.cpu": "2500m",
      "requests.memory": "7.5Gi",
      "limits.memory": "7.5Gi",
      "requests.ephemeral-storage": "20Gi",
      "limits.ephemeral-storage": "20Gi",
      pods: "8",
    });
  });
});

describe("multiplyQuantity", () => {
  it.each([
    ["500m", 3, "1500m"],
    ["2", 2, "4"],
    ["0.5", 3, "1.5"],
    ["1.5Gi", 5, "7.5Gi"],
    ["2Gi", 1, "2Gi"],
  ])("%s times %d", (quantity, factor, product) => {
    expect(multiplyQuantity(quantity, factor)).toBe(product);
  });

  it("rejects an exponent form", () => {
    expect(() => multiplyQuantity("1e3", 2)).toThrow(new PaddockError("CONFIG_INVALID", "cannot multiply the quantity 1e3 for the quota", { hint: "Use a number with an optional suffix, such as 500m or 2Gi" }));
  });
});

describe("service manifests", () => {
  it("deployment uses a tcp check", () => {
    const deployment = buildServiceDeploymentManifest({ environment, service: { ...web, ready: { tcp: 9000 } }, image: "postgres:16", podAnnotations: {} });
    const container = deployment.spec?.template.spec?.containers[0];

    expect(container?.readinessProbe?.tcpSocket).toEqual({ port: 9000 });
    expect(container?.command).toBeUndefined();
    expect(deployment.spec?.strategy).toEqual({ type: "Recreate" });
  });

  it("run overrides the command", () => {
    const deployment = buildServiceDeploymentManifest({ environment, service: { ...web, run: "node server.js" }, image: "node:20", podAnnotations: {} });

    expect(deployment.spec?.template.spec?.containers[0]?.command).toEqual(["/bin/sh", "-c", "node server.js"]);
  });

  it("url names the namespace", () => {
    expect(serviceUrl({ namespace: environment.name, service: web })).toBe("http://web.shop-pr-7-0123456789.svc:8080");
  });

  it("unbuilt image is rejected", () => {
    expect(() => resolveServiceImage(web, [])).toThrow(
      new PaddockError("USAGE", "service web uses image web, which was not built", { hint: "List the image under images in .github/paddock.yml" }),
    );
  });
});
