import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { PaddockError } from "../errors.ts";
import { canonicalizeJson } from "./canonical-json.ts";

/** Records between two signed checkpoints unless the operator sets another interval. */
export const DEFAULT_CHECKPOINT_INTERVAL = 100;
/** Hex characters of the key id: the start of the SHA-256 of the public key's SPKI DER. */
export const KEY_ID_LENGTH = 16;

/**
 * A signed statement that the chain's record `sequence` has hash `hash`. Written whenever a
 * record's sequence is a multiple of `interval`; `signature` is Ed25519 over the RFC 8785
 * canonical JSON of every other field.
 */
export const auditCheckpointSchema = z.strictObject({
  schemaVersion: z.literal(1),
  sequence: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  interval: z.number().int().positive(),
  time: z.iso.datetime({ offset: false }),
  keyId: z.string().regex(/^[0-9a-f]+$/),
  signature: z.base64(),
});

export type AuditCheckpoint = z.output<typeof auditCheckpointSchema>;

/**
 * Parses the operator's Ed25519 private key (PEM, PKCS #8) used to sign checkpoints. Rejects a
 * public key with its own message, because the two files are easy to swap.
 */
export function loadCheckpointSigningKey(pem: string): KeyObject {
  const key = parseKey(() => createPrivateKey(pem), "private", () => rejectPublicKey(pem));
  requireEd25519(key, "private");
  return key;
}

/** Parses the Ed25519 public key (PEM, SPKI) that checks checkpoint signatures. */
export function loadCheckpointVerifyKey(pem: string): KeyObject {
  const key = parseKey(() => createPublicKey(pem), "public");
  requireEd25519(key, "public");
  return key;
}

/** Returns the key id of a private or public key: the first 16 hex of SHA-256 over its SPKI DER. */
export function describeKeyId(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, KEY_ID_LENGTH);
}

/** Signs a checkpoint for one chained record. */
export function signCheckpoint(options: {
  sequence: number;
  hash: string;
  interval: number;
  time: string;
  privateKey: KeyObject;
}): AuditCheckpoint {
  const { privateKey, ...fields } = options;
  const unsigned = { schemaVersion: 1 as const, ...fields, keyId: describeKeyId(privateKey) };
  const signature = sign(null, Buffer.from(canonicalizeJson(unsigned), "utf8"), privateKey).toString("base64");
  return { ...unsigned, signature };
}

/** Checks a checkpoint's Ed25519 signature with the public key; false for a forged or edited one. */
export function verifyCheckpointSignature(options: { checkpoint: AuditCheckpoint; publicKey: KeyObject }): boolean {
  const { checkpoint, publicKey } = options;
  const { signature, ...unsigned } = checkpoint;
  return verify(null, Buffer.from(canonicalizeJson(unsigned), "utf8"), publicKey, Buffer.from(signature, "base64"));
}

function parseKey(parse: () => KeyObject, kind: "private" | "public", explainFailure?: () => void): KeyObject {
  try {
    return parse();
  } catch (error) {
    explainFailure?.();
    throw new PaddockError("AUDIT_KEY_INVALID", `the checkpoint ${kind} key is not a readable PEM key`, {
      hint: "make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem` and its public half with `openssl pkey -in audit-signing.pem -pubout`",
      cause: error,
    });
  }
}

function requireEd25519(key: KeyObject, kind: "private" | "public"): void {
  if (key.asymmetricKeyType === "ed25519") return;
  throw new PaddockError("AUDIT_KEY_INVALID", `the checkpoint ${kind} key is ${key.asymmetricKeyType ?? "not asymmetric"}, not ed25519`, {
    hint: "make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem`",
  });
}

/** Throws when `pem` is a public key. Call it only after createPrivateKey failed, because createPublicKey also reads private keys. */
function rejectPublicKey(pem: string): void {
  try {
    createPublicKey(pem);
  } catch {
    return;
  }
  throw new PaddockError("AUDIT_KEY_INVALID", "the checkpoint private key is a public key, but signing needs the private key", {
    hint: "set that setting to the private key, such as audit-signing.pem made by `openssl genpkey -algorithm ed25519 -out audit-signing.pem`, and pass the public key only to `paddock audit verify --public-key`",
  });
}
