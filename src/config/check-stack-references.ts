import { findNearestName } from "./nearest-name.ts";
import type { ExposeConfig, ImageConfig, ServiceConfig } from "./service-config-schema.ts";

/** A problem with how images, services and expose refer to each other, located by its path in the config. */
export interface StackReferenceProblem {
  path: (string | number)[];
  message: string;
}

/** Tells whether an image value is a bare name such as `web`, with no registry, path, tag or digest. */
function isBareName(image: string): boolean {
  return !/[/:@]/.test(image);
}

/**
 * Checks the references between `images`, `services` and `expose`: names are unique, a service
 * image that is a bare name refers to an entry in images, and `expose` names a service and that
 * service's port. A bare name that is not in images is rejected rather than read as a Docker Hub
 * image, because it is far more often a typo than a deliberate untagged image.
 */
export function checkStackReferences(stack: {
  images?: readonly ImageConfig[];
  services?: readonly ServiceConfig[];
  expose?: ExposeConfig;
}): StackReferenceProblem[] {
  const images = stack.images ?? [];
  const services = stack.services ?? [];
  const problems: StackReferenceProblem[] = [
    ...findDuplicates({ names: images.map((image) => image.name), list: "images", kind: "image" }),
    ...findDuplicates({ names: services.map((service) => service.name), list: "services", kind: "service" }),
  ];

  const imageNames = images.map((image) => image.name);
  services.forEach((service, index) => {
    if (!isBareName(service.image) || imageNames.includes(service.image)) return;
    const nearest = findNearestName(service.image, imageNames);
    const fix = nearest
      ? `did you mean "${nearest}"?`
      : `add an images entry named "${service.image}", or use an image reference with a tag such as postgres:16`;
    problems.push({ path: ["services", index, "image"], message: `image "${service.image}" is not an entry in images: ${fix}` });
  });

  if (stack.expose) problems.push(...checkExpose(stack.expose, services));
  return problems;
}

function findDuplicates(options: { names: string[]; list: string; kind: string }): StackReferenceProblem[] {
  const seen = new Set<string>();
  const problems: StackReferenceProblem[] = [];
  options.names.forEach((name, index) => {
    if (seen.has(name)) {
      problems.push({ path: [options.list, index, "name"], message: `duplicate ${options.kind} name "${name}": each ${options.kind} needs its own name` });
    }
    seen.add(name);
  });
  return problems;
}

function checkExpose(expose: ExposeConfig, services: readonly ServiceConfig[]): StackReferenceProblem[] {
  const service = services.find((candidate) => candidate.name === expose.service);
  if (!service) {
    const names = services.map((candidate) => candidate.name);
    const nearest = findNearestName(expose.service, names);
    let fix = `add a service named "${expose.service}" to services, or remove expose`;
    if (nearest) fix = `did you mean "${nearest}"?`;
    else if (names.length > 0) fix = `use one of ${names.join(", ")}`;
    return [{ path: ["expose", "service"], message: `service "${expose.service}" is not in services: ${fix}` }];
  }
  if (service.port !== expose.port) {
    return [{ path: ["expose", "port"], message: `port ${expose.port} is not the port of service "${service.name}": use ${service.port}` }];
  }
  return [];
}
