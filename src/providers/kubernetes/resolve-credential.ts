import { PaddockError } from "../../errors.ts";
import type { TarballCredential } from "../provider.ts";

/**
 * Minimum time a source token must stay valid when a step starts: the pod may wait for a node and
 * the download may take SOURCE_DOWNLOAD_TIMEOUT_SECONDS.
 */
export const MIN_CREDENTIAL_LIFETIME_MS = 10 * 60_000;

/**
 * Returns a credential that stays valid for at least MIN_CREDENTIAL_LIFETIME_MS, calling the
 * source's function when it has one, so each step gets a fresh token.
 */
export async function resolveCredential(
  source: { sha: string; credential: TarballCredential | (() => Promise<TarballCredential>) },
  now: () => Date = () => new Date(),
): Promise<TarballCredential> {
  const credential = typeof source.credential === "function" ? await source.credential() : source.credential;
  const expiresAt = Date.parse(credential.expiresAt);
  if (Number.isNaN(expiresAt)) {
    throw new PaddockError("USAGE", `the source credential for commit ${source.sha} has the invalid expiry ${credential.expiresAt}`, { hint: "Use an ISO 8601 time" });
  }
  const remainingMs = expiresAt - now().getTime();
  if (remainingMs < MIN_CREDENTIAL_LIFETIME_MS) {
    throw new PaddockError("USAGE", `the source credential for commit ${source.sha} expires at ${credential.expiresAt}, in less than ${MIN_CREDENTIAL_LIFETIME_MS / 60_000} minutes`, {
      hint: "Pass a function that mints a token for each step",
    });
  }
  if (!credential.url.startsWith("https://")) {
    throw new PaddockError("USAGE", `the source URL ${credential.url} for commit ${source.sha} is not https`, { hint: "The token must only travel over TLS" });
  }
  return credential;
}
