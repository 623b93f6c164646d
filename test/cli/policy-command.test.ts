import { describe, expect, it } from "vitest";
import { runCli, writeTempFiles } from "./cli-harness.ts";

describe("paddock policy check", () => {
  it("exits 0 for a valid policy", async () => {
    const cwd = writeTempFiles({ "policy.yml": "profiles:\n  agent:\n    resources: { cpu: 2 }\n" });
    expect(await runCli(["policy", "check", "policy.yml"], { cwd })).toEqual({ code: 0, stdout: "policy.yml: valid\n", stderr: "" });
  });

  it("exits 1 with one file:line:column line per problem", async () => {
    const cwd = writeTempFiles({ "policy.yml": "profiles:\n  agent:\n    resorces: {}\n    resources: { memory: 4GB }\n" });
    expect(await runCli(["policy", "check", "policy.yml"], { cwd })).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        'policy.yml:3:5: profiles.agent.resorces: unknown field "resorces": did you mean "resources"?',
        'policy.yml:4:26: profiles.agent.resources.memory: invalid memory quantity "4GB": use a Kubernetes quantity such as 4Gi (binary units)',
        "",
      ].join("\n"),
    });
  });

  it("reports every problem in one pass", async () => {
    const cwd = writeTempFiles({ "policy.yml": "repoSettings: allow\n: x\nprofiles:\n  fork:\n    secrets: true\n  human:\n    approval: superuser\n" });
    expect(await runCli(["policy", "check", "policy.yml"], { cwd })).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        "policy.yml:2:1: empty or null key: write a field name before the ':' (known fields: $schema, repoSettings, agents, profiles, deny, budgets, cost, preview, build, onPolicyChange)",
        "policy.yml:5:14: profiles.fork.secrets: secrets are never mounted for fork pull requests: set false or remove the field",
        "policy.yml:7:15: profiles.human.approval: invalid approval level: use one of none, write, maintain, admin",
        "",
      ].join("\n"),
    });
  });

  it.each([
    [["policy"], "paddock: policy needs a command. usage: paddock policy check FILE\n"],
    [["policy", "lint", "policy.yml"], 'paddock: unknown policy command "lint". usage: paddock policy check FILE\n'],
    [["policy", "check"], "paddock: policy check needs exactly one FILE. usage: paddock policy check FILE\n"],
    [["policy", "check", "a.yml", "b.yml"], "paddock: policy check needs exactly one FILE. usage: paddock policy check FILE\n"],
    [["policy", "check", "missing.yml"], "paddock: FILE missing.yml: file not found. pass the path of an existing file\n"],
    [["policy", "check", "."], "paddock: FILE . is a directory. pass the path of a file\n"],
  ])("exits 2 for %j", async (args, stderr) => {
    const cwd = writeTempFiles({});
    expect(await runCli(args, { cwd })).toEqual({ code: 2, stdout: "", stderr });
  });
});
