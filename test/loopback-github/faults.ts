/** A fault the loopback GitHub injects in place of a normal response. */
export type LoopbackFault =
  /** Responds with this status, GitHub's error body and any extra headers, e.g. 500 or a 429 with `retry-after`. */
  | { kind: "status"; status: number; headers?: Record<string, string>; message?: string }
  /** Sends nothing until the client gives up, or until `ms` passed; then closes the connection. */
  | { kind: "hang"; ms?: number }
  /** Destroys the connection without a response, as a reset or a crashed proxy does. */
  | { kind: "drop" }
  /** Answers 401 "Bad credentials" and marks the request's token expired, so later requests with it get 401 too. */
  | { kind: "expire-token" };

/** Maximum time a hung request stays open, so a run whose client never times out still ends. */
export const MAX_HANG_MS = 120_000;

/** Faults queued per route, consumed in order by the requests that reach the route. */
export class FaultQueue {
  readonly #queues = new Map<string, LoopbackFault[]>();

  /** Queues `fault` for the next `times` requests to `route` ("METHOD /path/template", or "*" for any route). */
  add(route: string, fault: LoopbackFault, times = 1): void {
    const key = normalizeRoute(route);
    const queue = this.#queues.get(key) ?? [];
    for (let count = 0; count < times; count += 1) queue.push(fault);
    this.#queues.set(key, queue);
  }

  /** Takes the next fault for a request to this route, trying the route's own queue before "*". */
  take(method: string, pathTemplate: string): LoopbackFault | undefined {
    return this.#queues.get(`${method.toUpperCase()} ${pathTemplate}`)?.shift() ?? this.#queues.get("*")?.shift();
  }

  /** Returns how many faults are still queued for a route, or for all routes. */
  pending(route?: string): number {
    if (route !== undefined) return this.#queues.get(normalizeRoute(route))?.length ?? 0;
    return [...this.#queues.values()].reduce((sum, queue) => sum + queue.length, 0);
  }
}

function normalizeRoute(route: string): string {
  if (route.trim() === "*") return "*";
  const [method = "", pathTemplate = ""] = route.trim().split(/\s+/, 2);
  if (!method || !pathTemplate.startsWith("/")) throw new Error(`route "${route}" is invalid: write "METHOD /path/template", e.g. "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"`);
  return `${method.toUpperCase()} ${pathTemplate}`;
}
