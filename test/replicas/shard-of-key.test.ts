import { describe, expect, it } from "vitest";
import { formatEnvironmentKey } from "../../src/environments/environment-key.ts";
import { shardOfKey } from "../../src/replicas/shard-of-key.ts";

describe("shardOfKey", () => {
  it("gives a key the same shard every time", () => {
    const key = formatEnvironmentKey({ repositoryId: 42, pullRequest: 7 });

    expect(shardOfKey(key, 16)).toBe(shardOfKey(key, 16));
  });

  it("spreads keys over every shard", () => {
    const counts = new Array<number>(16).fill(0);
    for (let number = 1; number <= 1_600; number += 1) counts[shardOfKey(formatEnvironmentKey({ repositoryId: 42, pullRequest: number }), 16)]! += 1;

    // 100 keys a shard on average; a uniform hash keeps every shard well within half and double that.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(200);
  });

  it("puts every key in shard 0 of one shard", () => {
    expect(shardOfKey("repository/1/branch/main", 1)).toBe(0);
  });
});
