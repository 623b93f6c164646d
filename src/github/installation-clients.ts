/** Maximum number of installations with a cached client; the least recently used one is dropped first. */
export const MAX_CACHED_INSTALLATIONS = 1_000;

/**
 * Caches one GitHub client per installation, so that work queued for many deliveries references
 * one client instead of one per delivery. Probot builds a client for every delivery; the first one
 * seen for an installation is cached and handed to later deliveries of that installation. Its
 * auth strategy mints installation tokens when they expire, so a cached client stays usable.
 */
export class InstallationClients<Client> {
  readonly #clients = new Map<number, Client>();
  readonly #maxInstallations: number;

  constructor(options: { maxInstallations?: number } = {}) {
    this.#maxInstallations = options.maxInstallations ?? MAX_CACHED_INSTALLATIONS;
  }

  /** Returns the cached client of the installation, or caches and returns `delivered`. */
  clientFor(installationId: number, delivered: Client): Client {
    const cached = this.#clients.get(installationId);
    // Re-inserting moves the installation to the end, so the first key is the least recently used.
    this.#clients.delete(installationId);
    const client = cached ?? delivered;
    this.#clients.set(installationId, client);
    if (this.#clients.size > this.#maxInstallations) this.#clients.delete(this.#clients.keys().next().value as number);
    return client;
  }

  get size(): number {
    return this.#clients.size;
  }
}
