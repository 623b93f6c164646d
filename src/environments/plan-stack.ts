import type { ExposeConfig, ImageConfig } from "../config/repo-config-schema.ts";
import type { BuildPolicy, PreviewPolicy } from "../policy/stack-policy-schema.ts";
import type { ImageBuildSpec, ServiceSpec, StackSpec } from "../providers/provider.ts";
import type { EnvironmentKey } from "./environment-key.ts";
import { renderPreviewHost } from "./preview-host.ts";

// Docker's rule for one path component of a repository name.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * Plans the stack of an environment from the head commit's images, services and expose, and the
 * org policy's build and preview sections. Pure. Returns undefined when there is nothing to build,
 * start, expose or deploy. Built images go to `<build.registry>/<owner>/<repo>/<image>:<sha>`
 * with the cache `<build.registry>/<owner>/<repo>/cache`, both lowercase. The push Secret is
 * `<build.pushSecret>-<repository id>`, one per repository. What the policy cannot serve (no
 * registry, no preview host, a host that is not a DNS name) goes into `problems`, and the
 * provider reports them before it builds anything. A missing registry or preview host also
 * denies the environment before that.
 */
export function planStack(options: {
  images: readonly ImageConfig[];
  services: readonly ServiceSpec[];
  expose?: ExposeConfig | undefined;
  deploySteps: boolean;
  policy: { build?: BuildPolicy | undefined; preview?: PreviewPolicy | undefined };
  repository: string;
  key: EnvironmentKey;
  environmentName: string;
  sha: string;
}): StackSpec | undefined {
  const { images, services, expose, deploySteps, policy, key, sha } = options;
  if (images.length === 0 && services.length === 0 && expose === undefined && !deploySteps) return undefined;
  const stack: StackSpec = { images: [], services: [...services], deploySteps };
  const problems: string[] = [];

  // 1. Images, into the registry the policy names.
  if (images.length > 0) {
    const build = policy.build;
    const path = registryPath(options.repository);
    if (build?.registry === undefined) {
      problems.push("images need a registry to push to, but the org policy sets no build.registry: ask an org admin to set build.registry, or remove images");
    } else if (typeof path !== "string") {
      problems.push(path.problem);
    } else {
      const base = `${build.registry}/${path}`;
      stack.images = images.map((image) => toImageBuildSpec({ image, base, sha }));
      stack.build = {
        namespace: build.namespace,
        ...(build.runtimeClass === undefined ? {} : { runtimeClass: build.runtimeClass }),
        ...(build.pushSecret === undefined ? {} : { pushSecret: `${build.pushSecret}-${key.repositoryId}` }),
      };
    }
  }

  // 2. The preview.
  if (expose !== undefined) {
    const preview = policy.preview;
    const rendered =
      preview === undefined
        ? { ok: false as const, message: "expose needs a preview host, but the org policy sets no preview.host: ask an org admin to set preview.host, or remove expose" }
        : renderPreviewHost({ template: preview.host, environment: options.environmentName, repository: options.repository.split("/").pop() ?? "", number: "pullRequest" in key ? key.pullRequest : null });
    if (rendered.ok) {
      stack.expose = { service: expose.service, port: expose.port, host: rendered.host, ...(preview?.ingressClass === undefined ? {} : { ingressClass: preview.ingressClass }) };
    } else {
      problems.push(rendered.message);
    }
  }
  if (problems.length > 0) stack.problems = problems;
  return stack;
}

function toImageBuildSpec(options: { image: ImageConfig; base: string; sha: string }): ImageBuildSpec {
  const { image, base, sha } = options;
  return {
    name: image.name,
    context: image.context,
    dockerfile: image.dockerfile,
    ...(image.target === undefined ? {} : { target: image.target }),
    args: image.args ?? {},
    repository: `${base}/${image.name}`,
    tag: sha,
    cacheRef: `${base}/cache`,
  };
}

/** Returns `owner/repo` in lowercase, or why it cannot be a registry path. */
function registryPath(repository: string): string | { problem: string } {
  const path = repository.toLowerCase();
  const bad = path.split("/").find((component) => !PATH_COMPONENT.test(component));
  if (bad === undefined) return path;
  return {
    problem: `repository ${repository} cannot name a registry path, because ${JSON.stringify(bad)} is not a valid path component: registry paths need lowercase letters and digits joined by '.', '_' or '-'`,
  };
}
