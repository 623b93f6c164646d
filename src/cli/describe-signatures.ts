/**
 * Describes the signature check of a chain that holds. "signatures verified" needs at least
 * one checked signature, because a key with no checkpoint to check proves nothing.
 */
export function describeSignatures(options: { keyGiven: boolean; signaturesChecked: number; hint: string }): string {
  if (!options.keyGiven) return `signatures not checked: ${options.hint}`;
  if (options.signaturesChecked === 0) return "no signature checked: the ledger has no checkpoints";
  return "signatures verified";
}
