import { describe, expect, it } from "vitest";

import type { ImageConfig } from "../../src/config/repo-config-schema.ts";
import { planStack } from "../../src/environments/plan-stack.ts";
import type { ServiceSpec } from "../../src/providers/provider.ts";

const key = { repositoryId: 4242, pullRequest: 7 };
const sha = "c".repeat(40);
const images: ImageConfig[] = [{ name: "web", context: "app", dockerfile: "app/Dockerfile", target: "prod", args: { NODE_ENV: "production" } }];
const services: ServiceSpec[] = [{ name: "web", image: "web", builtImage: "web", port: 8080, ready: { http: "/healthz" }, env: {}, timeoutSeconds: 300 }];
const policy = {
  build: { registry: "registry.example.com/paddock", namespace: "paddock-builds", runtimeClass: "gvisor", pushSecret: "paddock-registry-push" },
  preview: { host: "{environment}.preview.example.com", ingressClass: "nginx" },
};
type PlanOptions = Parameters<typeof planStack>[0];
const plan = (overrides: Partial<PlanOptions> = {}) =>
  planStack({ images, services, expose: { service: "web", port: 8080 }, deploySteps: true, policy, repository: "Acme/Shop", key, environmentName: "shop-pr-7-0123456789", sha, ...overrides });

describe("planStack", () => {
  it("resolves images into the registry", () => {
    expect(plan()?.images).toEqual([
      {
        name: "web",
        context: "app",
        dockerfile: "app/Dockerfile",
        target: "prod",
        args: { NODE_ENV: "production" },
        repository: "registry.example.com/paddock/acme/shop/web",
        tag: sha,
        cacheRef: "registry.example.com/paddock/acme/shop/cache",
      },
    ]);
  });

  it("names the per-repository push secret", () => {
    expect(plan()?.build).toEqual({ namespace: "paddock-builds", runtimeClass: "gvisor", pushSecret: "paddock-registry-push-4242" });
  });

  it("renders the preview host", () => {
    expect(plan()?.expose).toEqual({ service: "web", port: 8080, host: "shop-pr-7-0123456789.preview.example.com", ingressClass: "nginx" });
  });

  it("keeps services and deploy steps", () => {
    const stack = plan();

    expect([stack?.services, stack?.deploySteps, stack?.problems]).toEqual([services, true, undefined]);
  });

  it("steps-only config has no stack", () => {
    expect(plan({ images: [], services: [], expose: undefined, deploySteps: false })).toBeUndefined();
  });

  it("images without a registry are a problem", () => {
    const stack = plan({ policy: { preview: policy.preview } });

    expect(stack?.images).toEqual([]);
    expect(stack?.problems).toEqual(["images need a registry to push to, but the org policy sets no build.registry: ask an org admin to set build.registry, or remove images"]);
  });

  it("expose without a preview host is a problem", () => {
    const stack = plan({ policy: { build: policy.build } });

    expect(stack?.expose).toBeUndefined();
    expect(stack?.problems).toEqual(["expose needs a preview host, but the org policy sets no preview.host: ask an org admin to set preview.host, or remove expose"]);
  });

  it("number in a branch host is a problem", () => {
    const stack = plan({ key: { repositoryId: 4242, branch: "main" }, policy: { ...policy, preview: { host: "{number}-{environment}.preview.example.com" } } });

    expect(stack?.problems).toEqual([
      'preview.host "{number}-{environment}.preview.example.com" uses {number}, but environment shop-pr-7-0123456789 belongs to a branch, not a pull request: use {environment} instead',
    ]);
  });

  it("repository unfit for a registry path is a problem", () => {
    const stack = plan({ repository: "acme/.github" });

    expect(stack?.problems).toEqual([
      "repository acme/.github cannot name a registry path, because \".github\" is not a valid path component: registry paths need lowercase letters and digits joined by '.', '_' or '-'",
    ]);
  });
});
