import { describe, expect, it } from "vitest";

import { planStack, type StackConfig, type StackPolicy } from "../../src/environments/plan-stack.ts";
import { renderPreviewHost } from "../../src/environments/preview-host.ts";
import { PaddockError } from "../../src/errors.ts";

const key = { repositoryId: 4242, pullRequest: 7 };
const sha = "c".repeat(40);
const config: StackConfig = {
  images: [{ name: "web", context: "app", dockerfile: "app/Dockerfile", target: "prod", args: { NODE_ENV: "production" } }],
  services: [
    { name: "web", image: "web", run: "node server.js", port: 8080, ready: { http: "/healthz" }, env: { A: "1" }, timeout: "2m" },
    { name: "db", image: "postgres:16", port: 5432 },
  ],
  expose: { service: "web", port: 8080 },
  steps: [{}, { deploy: true }],
};
const policy: StackPolicy = {
  build: { registry: "registry.example.com/paddock/", runtimeClass: "gvisor", pushSecret: "paddock-registry-push" },
  preview: { host: "{environment}.preview.example.com", ingressClass: "nginx" },
};
const plan = (overrides: { config?: StackConfig; policy?: StackPolicy; repository?: string } = {}) =>
  planStack({ config: overrides.config ?? config, policy: overrides.policy ?? policy, repository: overrides.repository ?? "Acme/Shop", key, environmentName: "shop-pr-7-0123456789", sha });

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

  it("tells built images from references", () => {
    expect(plan()?.services).toEqual([
      { name: "web", image: { built: "web" }, run: "node server.js", port: 8080, ready: { http: "/healthz" }, env: { A: "1" }, readyTimeoutSeconds: 120 },
      { name: "db", image: { reference: "postgres:16" }, port: 5432, ready: { tcp: 5432 }, env: {}, readyTimeoutSeconds: 300 },
    ]);
  });

  it("renders the preview host", () => {
    expect(plan()?.expose).toEqual({ service: "web", port: 8080, host: "shop-pr-7-0123456789.preview.example.com", ingressClass: "nginx" });
  });

  it("marks deploy steps", () => {
    expect(plan()?.deploySteps).toBe(true);
  });

  it("steps-only config has no stack", () => {
    expect(plan({ config: { steps: [{}] } })).toBeUndefined();
  });

  it("images without a registry are rejected", () => {
    expect(() => plan({ policy: { preview: policy.preview } })).toThrow(
      new PaddockError("CONFIG_INVALID", ".github/paddock.yml lists 1 image(s) to build, but the org policy sets no build.registry", {
        hint: "Add build.registry to the org policy, or remove images from .github/paddock.yml",
      }),
    );
  });

  it("expose without a preview host is rejected", () => {
    expect(() => plan({ policy: { build: policy.build } })).toThrow(
      new PaddockError("CONFIG_INVALID", ".github/paddock.yml exposes service web, but the org policy sets no preview.host", {
        hint: "Add preview.host to the org policy, such as {environment}.preview.example.com, or remove expose from .github/paddock.yml",
      }),
    );
  });

  it("repository unfit for a registry path is rejected", () => {
    expect(() => plan({ repository: "acme/.github" })).toThrow(
      new PaddockError("CONFIG_INVALID", 'repository acme/.github cannot name a registry path: ".github" is not a valid path component', {
        hint: "Registry paths need components of lowercase letters and digits joined by '.', '_' or '-'; rename the repository to build images for it",
      }),
    );
  });
});

describe("renderPreviewHost", () => {
  const render = (template: string, branch?: string) =>
    renderPreviewHost({ template, environmentName: "shop-pr-7-0123456789", repositoryName: "My_Shop", key: branch === undefined ? key : { repositoryId: 1, branch } });

  it("fills every placeholder", () => {
    expect(render("{repo}-{number}.{environment}.example.com")).toBe("my-shop-7.shop-pr-7-0123456789.example.com");
  });

  it("rejects an unknown placeholder", () => {
    expect(() => render("{branch}.example.com")).toThrow(
      new PaddockError("CONFIG_INVALID", 'org policy preview.host "{branch}.example.com" is invalid: it names the unknown placeholder {branch}', { hint: "Use {environment}, {repo} or {number}" }),
    );
  });

  it("rejects number for a branch", () => {
    expect(() => render("pr-{number}.example.com", "main")).toThrow(
      new PaddockError("CONFIG_INVALID", 'org policy preview.host "pr-{number}.example.com" is invalid: {number} has no value for the branch environment shop-pr-7-0123456789', {
        hint: "Use {environment}, which every environment has",
      }),
    );
  });

  it.each([
    ["Preview.example.com", "Preview"],
    ["{environment}..example.com", ""],
    ["-{repo}.example.com", "-my-shop"],
    [`${"a".repeat(64)}.example.com`, "a".repeat(64)],
  ])("rejects %s", (template, label) => {
    expect(() => render(template)).toThrow(`has the invalid DNS label ${JSON.stringify(label)}`);
  });

  it("rejects a host over 253 characters", () => {
    const template = Array.from({ length: 5 }, () => "a".repeat(60)).join(".");

    expect(() => render(template)).toThrow(`the host ${template} is longer than 253 characters`);
  });
});
