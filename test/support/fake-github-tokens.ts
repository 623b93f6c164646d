import { jsonResponse, type FakeHandler } from "./fake-github-types.ts";

/** Installation tokens the fake minted, counted per installation. */
export interface TokenStore {
  handlers: Record<string, FakeHandler>;
  /** Returns how many tokens were minted for this installation. */
  mintCount(installationId: number): number;
  isMinted(token: string): boolean;
}

/** Prefix of every token the fake mints; GitHub's installation tokens start with `ghs_`. */
export const FAKE_TOKEN_PREFIX = "ghs_fake";

// GitHub's installation tokens live for one hour.
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

const DEFAULT_PERMISSIONS = { checks: "write", contents: "read", metadata: "read", pull_requests: "read" };

/** Creates the token endpoint: each request mints a new token that expires in one hour. */
export function createTokenStore(options: { now: () => Date }): TokenStore {
  const mints = new Map<number, number>();
  const minted = new Set<string>();

  return {
    mintCount: (installationId) => mints.get(installationId) ?? 0,
    isMinted: (token) => minted.has(token),
    handlers: {
      "POST /app/installations/{installation_id}/access_tokens": (request) => {
        const installationId = Number(request.params.installation_id);
        const count = (mints.get(installationId) ?? 0) + 1;
        mints.set(installationId, count);

        // Real tokens are `ghs_` and 36 characters. This one also names its installation and count.
        const token = `${FAKE_TOKEN_PREFIX}${installationId}n${count}`.padEnd(40, "0");
        minted.add(token);

        const body = (request.body ?? {}) as { permissions?: unknown; repositories?: unknown; repository_ids?: unknown };
        const selected = body.repositories !== undefined || body.repository_ids !== undefined;
        const expiresAt = new Date(options.now().getTime() + TOKEN_LIFETIME_MS);
        return jsonResponse(201, {
          token,
          expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: body.permissions ?? DEFAULT_PERMISSIONS,
          repository_selection: selected ? "selected" : "all",
        });
      },
    },
  };
}
