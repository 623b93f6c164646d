import type { StackSpec } from "../provider.ts";

/**
 * Returns the check-run note that names the parts of the stack the local provider ignores, such
 * as "images web not built and expose ignored: the local provider builds no images and makes no
 * preview URL", or undefined when the stack has no images and no expose.
 */
export function describeIgnoredStack(stack: StackSpec | undefined): string | undefined {
  const images = stack?.images.map((image) => image.name) ?? [];
  const exposed = stack?.expose !== undefined;
  if (images.length > 0 && exposed) {
    return `images ${images.join(", ")} not built and expose ignored: the local provider builds no images and makes no preview URL`;
  }
  if (images.length > 0) return `images ${images.join(", ")} not built: the local provider builds no images`;
  if (exposed) return "expose ignored: the local provider makes no preview URL";
  return undefined;
}
