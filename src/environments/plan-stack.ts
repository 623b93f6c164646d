import { parseDurationSeconds } from "../config/units.ts";
import { PaddockError } from "../errors.ts";
import type { ImageBuildSpec, ServiceSpec, StackSpec } from "../providers/provider.ts";
import type { EnvironmentKey } from "./environment-key.ts";
import { renderPreviewHost } from "./preview-host.ts";

/** Default build namespace when the org policy names none. */
export const DEFAULT_BUILD_NAMESPACE = "paddock-builds";
/** Default time a service has to become ready. */
export const DEFAULT_READY_TIMEOUT = "5m";

/** The parts of a repository config that describe a stack. */
export interface StackConfig {
  images?: ReadonlyArray<{ name: string; context?: string; dockerfile?: string; target?: string | undefined; args?: Record<string, string> | undefined }> | undefined;
  services?:
    | ReadonlyArray<{
        name: string;
        image: string;
        run?: string | undefined;
        port: number;
        ready?: { http: string } | { tcp: number } | undefined;
        env?: Record<string, string> | undefined;
        timeout?: string | undefined;
      }>
    | undefined;
  expose?: { service: string; port: number } | undefined;
  steps: ReadonlyArray<{ deploy?: boolean | undefined }>;
}

/** The parts of an org policy that place builds and previews. */
export interface StackPolicy {
  build?: { registry: string; namespace?: string | undefined; runtimeClass?: string | undefined; pushSecret?: string | undefined } | undefined;
  preview?: { host: string; ingressClass?: string | undefined } | undefined;
}

// Docker's rule for one path component of a repository name.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * Plans the stack of an environment from the head commit's config and the org policy. Pure.
 * Returns undefined when the config has no images, services, expose or deploy step. Built
 * images go to `<build.registry>/<owner>/<repo>/<image>:<sha>` with the cache
 * `<build.registry>/<owner>/<repo>/cache`, both lowercase. Throws a PaddockError naming the
 * missing policy field when images lack `build.registry` or expose lacks `preview.host`.
 */
export function planStack(options: {
  config: StackConfig;
  policy: StackPolicy;
  repository: string;
  key: EnvironmentKey;
  environmentName: string;
  sha: string;
}): StackSpec | undefined {
  const { config, policy, key, sha } = options;
  const images = config.images ?? [];
  const services = config.services ?? [];
  const deploySteps = config.steps.some((step) => step.deploy === true);
  if (images.length === 0 && services.length === 0 && config.expose === undefined && !deploySteps) return undefined;

  // 1. Images, into the registry the policy names.
  const stack: StackSpec = { images: [], services: [], deploySteps };
  if (images.length > 0) {
    const build = policy.build;
    if (build === undefined) {
      throw new PaddockError("CONFIG_INVALID", `.github/paddock.yml lists ${images.length} image(s) to build, but the org policy sets no build.registry`, {
        hint: "Add build.registry to the org policy, or remove images from .github/paddock.yml",
      });
    }
    const base = `${build.registry.replace(/\/+$/, "")}/${repositoryPath(options.repository)}`;
    stack.images = images.map((image): ImageBuildSpec => ({
      name: image.name,
      context: image.context ?? ".",
      dockerfile: image.dockerfile ?? "Dockerfile",
      ...(image.target === undefined ? {} : { target: image.target }),
      args: image.args ?? {},
      repository: `${base}/${image.name}`,
      tag: sha,
      cacheRef: `${base}/cache`,
    }));
    stack.build = {
      namespace: build.namespace ?? DEFAULT_BUILD_NAMESPACE,
      ...(build.runtimeClass === undefined ? {} : { runtimeClass: build.runtimeClass }),
      ...(build.pushSecret === undefined ? {} : { pushSecret: `${build.pushSecret}-${key.repositoryId}` }),
    };
  }

  // 2. Services, each on a built image or an external reference.
  const built = new Set(images.map((image) => image.name));
  stack.services = services.map((service): ServiceSpec => ({
    name: service.name,
    image: built.has(service.image) ? { built: service.image } : { reference: service.image },
    ...(service.run === undefined ? {} : { run: service.run }),
    port: service.port,
    ready: service.ready ?? { tcp: service.port },
    env: service.env ?? {},
    readyTimeoutSeconds: parseDurationSeconds(service.timeout ?? DEFAULT_READY_TIMEOUT) ?? 300,
  }));

  // 3. The preview.
  if (config.expose !== undefined) {
    const preview = policy.preview;
    if (preview === undefined) {
      throw new PaddockError("CONFIG_INVALID", `.github/paddock.yml exposes service ${config.expose.service}, but the org policy sets no preview.host`, {
        hint: "Add preview.host to the org policy, such as {environment}.preview.example.com, or remove expose from .github/paddock.yml",
      });
    }
    const repositoryName = options.repository.split("/").pop() ?? options.repository;
    const host = renderPreviewHost({ template: preview.host, environmentName: options.environmentName, repositoryName, key });
    stack.expose = { service: config.expose.service, port: config.expose.port, host, ...(preview.ingressClass === undefined ? {} : { ingressClass: preview.ingressClass }) };
  }
  return stack;
}

/** Returns `owner/repo` in lowercase, checked against the registry's rule for path components. */
function repositoryPath(repository: string): string {
  const path = repository.toLowerCase();
  const bad = path.split("/").find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    throw new PaddockError("CONFIG_INVALID", `repository ${repository} cannot name a registry path: ${JSON.stringify(bad)} is not a valid path component`, {
      hint: "Registry paths need components of lowercase letters and digits joined by '.', '_' or '-'; rename the repository to build images for it",
    });
  }
  return path;
}
