import { PaddockError } from "../../errors.ts";
import type { SourceSpec } from "../provider.ts";

type TarballSource = Extract<SourceSpec, { kind: "tarball" }>;
/** A tarball source with the credential a pod needs to download the commit. */
export type CredentialedTarball = TarballSource & { credential: NonNullable<TarballSource["credential"]> };

/** Returns the tarball source with its credential, the only source a cluster can fetch by itself. */
export function assertFetchableInCluster(source: SourceSpec): CredentialedTarball {
  if (source.kind === "tarball" && source.credential !== undefined) return source as CredentialedTarball;
  const what = source.kind === "tarball" ? "a tarball source without a credential" : `a ${source.kind} source`;
  throw new PaddockError("USAGE", `the kubernetes provider cannot fetch ${what} for commit ${source.sha}`, {
    hint: "Pass a tarball source with a credential, which a pod can use to download the commit",
  });
}
