import { describe, expect, it } from "vitest";
import { parseBooleanInput, parseDurationInput, parseLogMaxBytesInput, parseMultilineInput, readActionInputs } from "../../src/action/action-inputs.ts";
import { findKubeconfigSecrets } from "../../src/action/kubeconfig-secrets.ts";

describe("parseMultilineInput", () => {
  it("trims lines and drops blank ones", () => {
    expect(parseMultilineInput("  build\r\n\t\n test \n\n")).toEqual(["build", "test"]);
  });

  it("returns no lines for an empty input", () => {
    expect(parseMultilineInput("")).toEqual([]);
  });
});

describe("parseBooleanInput", () => {
  it.each(["true", "True", "TRUE"])("accepts %s as true", (value) => {
    expect(parseBooleanInput({ name: "wait", value })).toBe(true);
  });

  it.each(["false", "False", "FALSE"])("accepts %s as false", (value) => {
    expect(parseBooleanInput({ name: "wait", value })).toBe(false);
  });

  it.each(["tRUE", "yes", "on", "1", ""])("rejects %j naming the input", (value) => {
    expect(() => parseBooleanInput({ name: "wait", value })).toThrow(
      `input wait is ${JSON.stringify(value)}, which is not a boolean. use one of: true, True, TRUE, false, False, FALSE`,
    );
  });
});

describe("parseDurationInput", () => {
  it("parses the config's duration format", () => {
    expect(parseDurationInput({ name: "timeout", value: "1h30m" })).toBe(5400);
  });

  it("accepts the maximum delay of setTimeout", () => {
    expect(parseDurationInput({ name: "timeout", value: "2147483s" })).toBe(2_147_483);
  });

  it("rejects one second more than the maximum", () => {
    expect(() => parseDurationInput({ name: "timeout", value: "2147484s" })).toThrow("input timeout is 2147484s, which is out of range. use more than 0s and at most 2147483s");
  });
});

describe("parseLogMaxBytesInput", () => {
  it("leaves an empty input to the variable", () => {
    expect(parseLogMaxBytesInput("")).toBeUndefined();
  });

  it("accepts the minimum", () => {
    expect(parseLogMaxBytesInput("1024")).toBe(1024);
  });

  it("accepts the maximum", () => {
    expect(parseLogMaxBytesInput("1073741824")).toBe(1_073_741_824);
  });

  it.each(["1023", "1073741825", "20MiB", "1e6", "-2048", " 2048"])("rejects %j naming the value and the fix", (value) => {
    expect(() => parseLogMaxBytesInput(value)).toThrow(
      `input log-max-bytes is ${JSON.stringify(value)}, which is not a whole number of bytes from 1024 to 1073741824. set it to a number of bytes such as 20971520 (20 MiB), or leave it empty to use PADDOCK_LOG_MAX_BYTES or the default 10485760 (10 MiB)`,
    );
  });
});

describe("readActionInputs", () => {
  it("applies the defaults of action.yml to empty inputs", () => {
    const inputs = readActionInputs(() => "");

    expect(inputs).toEqual({
      command: "up",
      githubToken: undefined,
      kubeconfig: undefined,
      config: ".github/paddock.yml",
      orgPolicy: undefined,
      wait: true,
      timeout: undefined,
      steps: [],
      auditPath: ".",
      auditPublicKey: undefined,
      logMaxBytes: undefined,
    });
  });
});

describe("findKubeconfigSecrets", () => {
  it("lists every line of a kubeconfig that is not YAML", () => {
    expect(findKubeconfigSecrets("users: [\n  token: abc\n")).toEqual(["users: [", "token: abc"]);
  });

  it("lists nothing for a kubeconfig without users", () => {
    expect(findKubeconfigSecrets("apiVersion: v1\nkind: Config\n")).toEqual([]);
  });
});
