/** Errors already written to the log by the code that caught them first. */
const loggedErrors = new WeakSet<object>();

/**
 * Marks an error as logged, so outer handlers that catch it again do not repeat the line.
 * Mark only at a place that logs the error with its ids, such as the delivery id and repository.
 */
export function markLogged(error: unknown): void {
  if (typeof error === "object" && error !== null) loggedErrors.add(error);
}

/** Returns whether `markLogged` marked the error. Primitive throws are never marked. */
export function wasLogged(error: unknown): boolean {
  return typeof error === "object" && error !== null && loggedErrors.has(error);
}
