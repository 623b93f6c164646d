import { describe, expect, it } from "vitest";
import { MAX_UNREPORTED_COMMITS, UnreportedCommits } from "../../src/service/unreported-commits.ts";

describe("UnreportedCommits", () => {
  it("returns the commits once, oldest first", () => {
    const commits = new UnreportedCommits();
    commits.add("1/2", ["a"]);
    commits.add("1/2", ["b", "c"]);

    expect(commits.take("1/2")).toEqual(["a", "b", "c"]);
    expect(commits.take("1/2")).toEqual([]);
    expect(commits.size).toBe(0);
  });

  it("keeps only the newest commits of a key", () => {
    const commits = new UnreportedCommits();
    const shas = Array.from({ length: MAX_UNREPORTED_COMMITS + 5 }, (_, index) => `sha-${index}`);
    commits.add("1/2", shas);

    expect(commits.take("1/2")).toEqual(shas.slice(5));
  });
});
