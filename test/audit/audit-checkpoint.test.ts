import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  describeKeyId,
  loadCheckpointSigningKey,
  loadCheckpointVerifyKey,
  signCheckpoint,
  verifyCheckpointSignature,
} from "../../src/audit/audit-checkpoint.ts";

const signing = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");
const CHECKPOINT_FIELDS = { sequence: 100, hash: "c".repeat(64), interval: 100, time: "2026-12-04T10:00:00.000Z" };

describe("signCheckpoint", () => {
  it("signs what verifies with the public key", () => {
    const checkpoint = signCheckpoint({ ...CHECKPOINT_FIELDS, privateKey: signing.privateKey });

    expect(checkpoint.keyId).toBe(describeKeyId(signing.publicKey));
    expect(verifyCheckpointSignature({ checkpoint, publicKey: signing.publicKey })).toBe(true);
  });

  it("fails verification with another key", () => {
    const checkpoint = signCheckpoint({ ...CHECKPOINT_FIELDS, privateKey: signing.privateKey });

    expect(verifyCheckpointSignature({ checkpoint, publicKey: other.publicKey })).toBe(false);
  });

  it("fails verification after an edit", () => {
    const checkpoint = signCheckpoint({ ...CHECKPOINT_FIELDS, privateKey: signing.privateKey });

    expect(verifyCheckpointSignature({ checkpoint: { ...checkpoint, hash: "d".repeat(64) }, publicKey: signing.publicKey })).toBe(false);
  });
});

describe("loadCheckpointSigningKey", () => {
  it("loads a PKCS #8 Ed25519 key", () => {
    const pem = signing.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

    expect(describeKeyId(loadCheckpointSigningKey(pem))).toBe(describeKeyId(signing.publicKey));
  });

  it("rejects an RSA key", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

    expect(() => loadCheckpointSigningKey(rsa)).toThrow("the checkpoint private key is rsa, not ed25519");
  });

  it("rejects text that is not PEM", () => {
    expect(() => loadCheckpointSigningKey("not a key")).toThrow("the checkpoint private key is not a readable PEM key");
  });

  it("rejects a public key", () => {
    const pem = signing.publicKey.export({ type: "spki", format: "pem" }).toString();

    expect(() => loadCheckpointSigningKey(pem)).toThrow(
      "the checkpoint private key is a public key, but signing needs the private key. set that setting to the private key, such as audit-signing.pem made by `openssl genpkey -algorithm ed25519 -out audit-signing.pem`, and pass the public key only to `paddock audit verify --public-key`",
    );
  });
});

describe("loadCheckpointVerifyKey", () => {
  it("loads an SPKI public key", () => {
    const pem = signing.publicKey.export({ type: "spki", format: "pem" }).toString();

    expect(describeKeyId(loadCheckpointVerifyKey(pem))).toMatch(/^[0-9a-f]{16}$/);
  });
});
