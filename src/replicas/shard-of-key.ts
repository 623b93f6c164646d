import { createHash } from "node:crypto";

/**
 * Returns the shard of an environment key: the first four bytes of the key's SHA-256 hash, as an
 * unsigned integer, modulo the number of shards. Every replica computes the same shard for a key.
 */
export function shardOfKey(key: string, shards: number): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) % shards;
}
