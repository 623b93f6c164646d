import { describe, expect, it } from "vitest";

import { describeIgnoredStack } from "../../../src/providers/local/describe-ignored-stack.ts";
import type { ImageBuildSpec, StackSpec } from "../../../src/providers/provider.ts";

function image(name: string): ImageBuildSpec {
  return { name, context: ".", dockerfile: "Dockerfile", args: {}, repository: `registry.example.com/paddock/octo/demo/${name}`, tag: "abc", cacheRef: "registry.example.com/paddock/octo/demo/cache" };
}

function stack(overrides: Partial<StackSpec>): StackSpec {
  return { images: [], services: [], deploySteps: false, ...overrides };
}

const EXPOSE = { service: "web", port: 8080, host: "pr-1.preview.example.com" };

describe("describeIgnoredStack", () => {
  it("images and expose named together", () => {
    expect(describeIgnoredStack(stack({ images: [image("web")], expose: EXPOSE }))).toBe(
      "images web not built and expose ignored: the local provider builds no images and makes no preview URL",
    );
  });

  it("several images listed in order", () => {
    expect(describeIgnoredStack(stack({ images: [image("web"), image("worker")] }))).toBe("images web, worker not built: the local provider builds no images");
  });

  it("expose alone", () => {
    expect(describeIgnoredStack(stack({ expose: EXPOSE }))).toBe("expose ignored: the local provider makes no preview URL");
  });

  it("services only gives no note", () => {
    expect(describeIgnoredStack(stack({}))).toBeUndefined();
  });

  it("no stack gives no note", () => {
    expect(describeIgnoredStack(undefined)).toBeUndefined();
  });
});
