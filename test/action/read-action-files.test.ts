import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfigInput, readOrgPolicyInput } from "../../src/action/read-action-files.ts";

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

describe("readOrgPolicyInput", () => {
  const POLICY = "repoSettings: forbid\n";

  it.each([
    ["an absolute path", (outside: string) => outside],
    ["a path through ..", () => "../policy.yml"],
  ])("rejects %s outside the checkout", (_label, toInput) => {
    const parent = mkdtempSync(join(tmpdir(), "paddock-runner-"));
    const workspace = join(parent, "workspace");
    const outside = join(parent, "policy.yml");
    mkdirSync(workspace);
    writeFileSync(outside, POLICY);
    const path = toInput(outside);

    const read = () => readOrgPolicyInput({ path, workspace });

    expect(read).toThrow(`input org-policy ${path} resolves outside the checkout. commit the config as a regular file inside the repository, not under a linked folder`);
  });

  it("rejects a policy linked outside the checkout", () => {
    const workspace = mkdtempSync(join(tmpdir(), "paddock-workspace-"));
    const outside = join(mkdtempSync(join(tmpdir(), "paddock-runner-")), "policy.yml");
    writeFileSync(outside, POLICY);
    symlinkSync(outside, join(workspace, "policy.yml"));

    const read = () => readOrgPolicyInput({ path: "policy.yml", workspace });

    expect(read).toThrow("input org-policy policy.yml is a symbolic link. commit the config as a regular file; Paddock reads no link in the checkout");
  });

  it("reads a policy file in the checkout", () => {
    const workspace = mkdtempSync(join(tmpdir(), "paddock-workspace-"));
    mkdirSync(join(workspace, ".github"));
    writeFileSync(join(workspace, ".github", "paddock-policy.yml"), POLICY);

    const read = readOrgPolicyInput({ path: ".github/paddock-policy.yml", workspace });

    expect(read.source.location).toBe(".github/paddock-policy.yml");
  });
});
