/**
 * Describes the signature check of a chain that holds. "signatures verified" needs at least
 * one checked signature, because a key with no checkpoint to check proves nothing.
 */
export function describeSignatures(options: { keyGiven: boolean; signaturesChecked: number; hint: string }): string {
  if (!options.keyGiven) return `signatures not checked: ${options.hint}`;
  if (options.signaturesChecked === 0) return "no signature checked: the ledger has no checkpoints";
  return "signatures verified";
}

/**
 * Names the records of an intact chain that no checkpoint signs: those after the last
 * checkpoint, or every record when there is none. Returns "" when the last record is signed.
 */
export function describeUnsignedRecords(options: { intactRecords: number; signedThrough: number }): string {
  const { intactRecords, signedThrough } = options;
  if (signedThrough >= intactRecords) return "";

  const first = signedThrough + 1;
  const single = first === intactRecords;
  const records = single ? `Record ${first}` : `Records ${first}-${intactRecords}`;
  if (signedThrough === 0) return single ? `${records} is not signed, because no checkpoint covers it.` : `${records} are not signed, because no checkpoint covers them.`;
  return single ? `${records} follows the last checkpoint and is not signed.` : `${records} follow the last checkpoint and are not signed.`;
}
