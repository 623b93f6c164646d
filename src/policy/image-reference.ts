/** Registry of images named without a host, such as `node:24`. */
export const DEFAULT_REGISTRY = "docker.io";

/** The parts of an image reference that policy judges. */
export interface ImageReference {
  registry: string;
  /** Whether the reference pins a digest (`@sha256:...`). */
  pinned: boolean;
}

/**
 * Reads the registry of an image reference the way Docker does. The first path component is a
 * registry when it contains `.` or `:` or is `localhost`, and otherwise the image is on Docker
 * Hub. A port is dropped, so `localhost:5000/app` comes from `localhost`.
 */
export function parseImageReference(image: string): ImageReference {
  const pinned = /@sha256:[0-9a-f]{64}$/.test(image);
  const slash = image.indexOf("/");
  const first = slash === -1 ? "" : image.slice(0, slash);
  const isRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  const registry = isRegistry ? first.toLowerCase().replace(/:\d+$/, "") : DEFAULT_REGISTRY;
  return { registry: registry === "index.docker.io" || registry === "registry-1.docker.io" ? DEFAULT_REGISTRY : registry, pinned };
}
