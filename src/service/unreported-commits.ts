/** Maximum number of superseded commits kept per environment key for the run that replaces them. */
export const MAX_UNREPORTED_COMMITS = 20;

/**
 * The commits that newer pushes superseded before their run started and that got no check run
 * of their own, per environment key, until the run that builds the key names them.
 */
export class UnreportedCommits {
  readonly #byKey = new Map<string, string[]>();

  add(key: string, shas: readonly string[]): void {
    const list = [...(this.#byKey.get(key) ?? []), ...shas];
    this.#byKey.set(key, list.slice(-MAX_UNREPORTED_COMMITS));
  }

  /** Returns the key's commits, oldest first, and removes them. */
  take(key: string): string[] {
    const list = this.#byKey.get(key) ?? [];
    this.#byKey.delete(key);
    return list;
  }

  get size(): number {
    return this.#byKey.size;
  }
}

/** Describes, for the newest run's check run, the commits it superseded that have no check run of their own. */
export function describeUnreportedCommits(shas: readonly string[]): string {
  const named = shas.map((sha) => sha.slice(0, 7)).join(", ");
  return `Not built, superseded by this commit before their runs started: ${named}. They have no check run of their own, because this installation's GitHub writes were backed up`;
}
