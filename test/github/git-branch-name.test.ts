import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { describeInvalidBranchName } from "../../src/github/git-branch-name.ts";

const CASES: ReadonlyArray<[name: string, reason: string | undefined]> = [
  ["main", undefined],
  ["feature/login-2", undefined],
  ["$(id)", undefined],
  ["`id`", undefined],
  ["-rf", "it starts with '-'"],
  ["-", "it starts with '-'"],
  ["a/-b", undefined],
  ["ｍain", undefined],
  ["🔥/🔥", undefined],
  ["", "it is empty"],
  ["a\nb", "it contains the control character U+000A"],
  ["a\u0000b", "it contains the control character U+0000"],
  ["a\u007fb", "it contains the control character U+007F"],
  ["a b", "it contains a space"],
  ["a~1", "it contains '~'"],
  ["a^1", "it contains '^'"],
  ["a:b", "it contains ':'"],
  ["a?", "it contains '?'"],
  ["a*", "it contains '*'"],
  ["a[b", "it contains '['"],
  ["a\\b", "it contains '\\'"],
  ["a..b", "it contains '..'"],
  ["a@{1}", "it contains '@{'"],
  ["@", "it is '@'"],
  ["/a", "it has an empty path component"],
  ["a/", "it has an empty path component"],
  ["a//b", "it has an empty path component"],
  ["a.", "it ends with '.'"],
  [".a", "a path component starts with '.'"],
  ["a/.b", "a path component starts with '.'"],
  ["a.lock", "a path component ends with '.lock'"],
  ["a.lock/b", "a path component ends with '.lock'"],
  ["x".repeat(256), "it is 256 bytes long, over 255"],
  ["é".repeat(128), "it is 256 bytes long, over 255"],
];

describe("describeInvalidBranchName", () => {
  it.each(CASES)("judges %j", (name, reason) => {
    expect(describeInvalidBranchName(name)).toBe(reason);
  });

  it.each(CASES.filter(([name]) => name !== "@" && !name.includes("\u0000") && Buffer.byteLength(name) <= 255))("agrees with git check-ref-format on %j", (name, reason) => {
    const git = spawnSync("git", ["check-ref-format", "--branch", name]);

    expect(git.status === 0).toBe(reason === undefined);
  });
});
