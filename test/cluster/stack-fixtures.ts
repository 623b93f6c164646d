import { createHash } from "node:crypto";

import type { ImageBuildSpec, ServiceSpec, StackSpec } from "../../src/providers/provider.ts";

/** The build namespace that deploy/05-build-namespace.yaml creates. */
export const BUILD_NAMESPACE = "paddock-builds";
/** Registry repository of the test images; no registry exists, because kwok runs no containers. */
export const TEST_REGISTRY = "registry.paddock.invalid/paddock";

/** Returns the digest a fake build reports for an image name: the SHA-256 of the name. */
export function fakeDigest(name: string): string {
  return `sha256:${createHash("sha256").update(name).digest("hex")}`;
}

/** Builds an image spec as the planner resolves it for `acme/<repository>`. */
export function buildTestImage(repository: string, name: string): ImageBuildSpec {
  return {
    name,
    context: ".",
    dockerfile: "Dockerfile",
    args: { NODE_ENV: "production" },
    repository: `${TEST_REGISTRY}/acme/${repository}/${name}`,
    tag: "c".repeat(40),
    cacheRef: `${TEST_REGISTRY}/acme/${repository}/cache`,
  };
}

/** Builds a service that serves HTTP on its port, ready within `timeoutSeconds`; `builtImage` names an image of the stack. */
export function buildTestService(name: string, image: { builtImage: string } | { image: string }, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  const source = "builtImage" in image ? { image: image.builtImage, builtImage: image.builtImage } : { image: image.image };
  return { name, ...source, port: 8080, ready: { http: "/healthz" }, env: { LOG_LEVEL: "debug" }, timeoutSeconds: 60, ...extra };
}

/** Builds a stack without images, services or deploy steps, for tests to fill in. */
export function buildEmptyStack(extra: Partial<StackSpec> = {}): StackSpec {
  return { images: [], services: [], deploySteps: false, ...extra };
}
