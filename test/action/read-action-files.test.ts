import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfigInput } from "../../src/action/read-action-files.ts";

describe("readConfigInput", () => {
  it("rejects a config linked outside the workspace", () => {
    const workspace = mkdtempSync(join(tmpdir(), "paddock-workspace-"));
    const outside = join(mkdtempSync(join(tmpdir(), "paddock-runner-")), "config");
    writeFileSync(outside, '[http]\n  extraheader = "AUTHORIZATION: basic canary-4713"\n');
    mkdirSync(join(workspace, ".github"));
    symlinkSync(outside, join(workspace, ".github", "paddock.yml"));

    const read = () => readConfigInput({ path: ".github/paddock.yml", workspace });

    expect(read).toThrow("input config .github/paddock.yml is a symbolic link. commit the config as a regular file; Paddock reads no link in the checkout");
  });

  it("reads a regular config file", () => {
    const workspace = mkdtempSync(join(tmpdir(), "paddock-workspace-"));
    mkdirSync(join(workspace, ".github"));
    writeFileSync(join(workspace, ".github", "paddock.yml"), "steps:\n  - name: test\n    run: npm test\n");

    expect(readConfigInput({ path: ".github/paddock.yml", workspace }).value.steps.map((step) => step.name)).toEqual(["test"]);
  });
});
