import { randomBytes } from "node:crypto";

import { FAKE_TOKEN_PREFIX } from "../support/fake-github-tokens.ts";

/** GitHub's installation tokens expire after one hour. */
export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

interface TokenRecord {
  installationId: number;
  expiresAt: number;
  /** Set when a fault or a test expired the token before its time. */
  expired: boolean;
}

/** The installation tokens a loopback GitHub minted, with their expiry. */
export class InstallationTokens {
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #mints = new Map<number, number[]>();
  readonly #lifetimeMs: number;

  constructor(options: { lifetimeMs?: number } = {}) {
    this.#lifetimeMs = options.lifetimeMs ?? TOKEN_LIFETIME_MS;
  }

  /** Mints a new token for the installation; each carries random bytes, so no two are equal. */
  mint(installationId: number, now: number): { token: string; expiresAt: number } {
    const token = `${FAKE_TOKEN_PREFIX}${installationId}x${randomBytes(12).toString("hex")}`;
    const expiresAt = now + this.#lifetimeMs;
    this.#tokens.set(token, { installationId, expiresAt, expired: false });
    this.#mints.set(installationId, [...(this.#mints.get(installationId) ?? []), now]);
    return { token, expiresAt };
  }

  /** Returns the token's installation and whether it is no longer valid at `now`; undefined for a token never minted. */
  lookup(token: string, now: number): { installationId: number; valid: boolean } | undefined {
    const record = this.#tokens.get(token);
    if (!record) return undefined;
    return { installationId: record.installationId, valid: !record.expired && now < record.expiresAt };
  }

  /** Expires one token at once, as GitHub does when it revokes one. */
  expire(token: string): void {
    const record = this.#tokens.get(token);
    if (record) record.expired = true;
  }

  isMinted(token: string): boolean {
    return this.#tokens.has(token);
  }

  /** Returns the times (ms) at which tokens were minted for an installation, oldest first. */
  mintTimes(installationId: number): number[] {
    return [...(this.#mints.get(installationId) ?? [])];
  }

  /** Returns every token minted so far, for suites that search outputs for them. */
  issued(): string[] {
    return [...this.#tokens.keys()];
  }

  /** Returns every installation that got a token. */
  installations(): number[] {
    return [...this.#mints.keys()].sort((left, right) => left - right);
  }
}
