import { describeError, PaddockError } from "../errors.ts";

/**
 * Returns the headline of a run whose environment could not be prepared. A failed image build
 * gets its own headline, because its fix is in the Dockerfile, not in the environment.
 */
export function describePrepareFailure(error: unknown): string {
  if (error instanceof PaddockError && error.code === "IMAGE_BUILD_FAILED") return `Image build failed: ${error.message}`;
  return `Environment could not be prepared: ${describeError(error)}`;
}
