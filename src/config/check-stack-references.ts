import type { CheckableStack, StackEntry } from "./checkable-stack.ts";
import { findNearestName } from "./nearest-name.ts";

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
 *
 * Runs on a config whose other fields may be invalid (see readCheckableStack). A check that
 * needs a field that failed its own check is skipped, so no problem is reported twice, and a
 * reference is reported missing only when every name it could refer to is known.
 */
export function checkStackReferences(stack: CheckableStack): StackReferenceProblem[] {
  const images = stack.images === "unknown" ? [] : stack.images;
  const services = stack.services === "unknown" ? [] : stack.services;
  const problems: StackReferenceProblem[] = [
    ...findDuplicates({ names: images.map((image) => image?.name), list: "images", kind: "image" }),
    ...findDuplicates({ names: services.map((service) => service?.name), list: "services", kind: "service" }),
  ];

  const imageNames = knownNames(stack.images);
  services.forEach((service, index) => {
    const image = service?.image;
    if (image === undefined || imageNames === undefined || !isBareName(image) || imageNames.includes(image)) return;
    const nearest = findNearestName(image, imageNames);
    const fix = nearest ? `did you mean "${nearest}"?` : `add an images entry named "${image}", or use an image reference with a tag such as postgres:16`;
    problems.push({ path: ["services", index, "image"], message: `image "${image}" is not an entry in images: ${fix}` });
  });

  if (stack.expose) problems.push(...checkExpose(stack.expose, stack.services));
  return problems;
}

/** Returns every name of a list, or undefined when a list or an entry name is unreadable. */
function knownNames(list: CheckableStack["images"]): string[] | undefined {
  if (list === "unknown") return undefined;
  const names = list.map((entry) => entry?.name);
  return names.every((name) => name !== undefined) ? (names as string[]) : undefined;
}

function findDuplicates(options: { names: (string | undefined)[]; list: string; kind: string }): StackReferenceProblem[] {
  const seen = new Set<string>();
  const problems: StackReferenceProblem[] = [];
  options.names.forEach((name, index) => {
    if (name === undefined) return;
    if (seen.has(name)) {
      problems.push({ path: [options.list, index, "name"], message: `duplicate ${options.kind} name "${name}": each ${options.kind} needs its own name` });
    }
    seen.add(name);
  });
  return problems;
}

function checkExpose(expose: NonNullable<CheckableStack["expose"]>, list: CheckableStack["services"]): StackReferenceProblem[] {
  if (expose.service === undefined) return [];
  const services = list === "unknown" ? [] : list;
  const service = services.find((candidate) => candidate?.name === expose.service);
  if (!service) {
    const names = knownNames(list);
    if (names === undefined) return [];
    const named = services.filter((candidate): candidate is StackEntry => candidate !== undefined);
    return [{ path: ["expose", "service"], message: `service "${expose.service}" is not in services: ${suggestService(expose.service, named)}` }];
  }
  if (service.port !== undefined && expose.port !== undefined && service.port !== expose.port) {
    return [{ path: ["expose", "port"], message: `port ${expose.port} is not the port of service "${service.name}": use ${service.port}` }];
  }
  return [];
}

/** Names the service `expose` probably means, with its port, so that one fix corrects both fields. */
function suggestService(requested: string, services: readonly StackEntry[]): string {
  const describePort = (service: StackEntry): string => (service.port === undefined ? "" : ` (port ${service.port})`);
  const nearestName = findNearestName(requested, services.map((service) => service.name ?? ""));
  const nearest = services.find((service) => nearestName !== undefined && service.name === nearestName);
  if (nearest) return `did you mean "${nearest.name}"${describePort(nearest)}?`;
  if (services.length > 0) return `use one of ${services.map((service) => `${service.name}${describePort(service)}`).join(", ")}`;
  return `add a service named "${requested}" to services, or remove expose`;
}
