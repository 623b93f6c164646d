import { describe, expect, it } from "vitest";

import { buildBwrapArgs, type BwrapArgsOptions } from "../../../src/providers/local/bwrap-args.ts";
import { formatDuration } from "../../../src/providers/local/format-duration.ts";
import { buildStepEnv } from "../../../src/providers/local/step-env.ts";

const mergedUsr: BwrapArgsOptions["hostEntries"] = [
  { path: "/usr", kind: "directory" },
  { path: "/bin", kind: "symlink", target: "usr/bin" },
  { path: "/lib", kind: "symlink", target: "usr/lib" },
];

function options(overrides: Partial<BwrapArgsOptions> = {}): BwrapArgsOptions {
  return {
    hostEntries: mergedUsr,
    nodeDirectory: "/usr/bin",
    workspaceDirectory: "/state/checkouts/abc",
    shareNetwork: false,
    env: { PATH: "/usr/bin", HOME: "/tmp" },
    command: "npm test",
    etcEntries: [
      { source: "/etc/hosts", target: "/etc/hosts", networkOnly: false },
      { source: "/state/sandbox/passwd", target: "/etc/passwd", networkOnly: false },
      { source: "/etc/resolv.conf", target: "/etc/resolv.conf", networkOnly: true },
    ],
    ...overrides,
  };
}

describe("buildBwrapArgs", () => {
  it("builds the isolated argument list", () => {
    expect(buildBwrapArgs(options())).toEqual([
      "--die-with-parent", "--unshare-all", "--as-pid-1", "--new-session", "--cap-drop", "ALL",
      "--ro-bind", "/usr", "/usr",
      "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
      "--tmpfs", "/etc", "--ro-bind", "/etc/hosts", "/etc/hosts", "--ro-bind", "/state/sandbox/passwd", "/etc/passwd", "--remount-ro", "/etc",
      "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
      "--bind", "/state/checkouts/abc", "/workspace", "--chdir", "/workspace",
      "--clearenv", "--setenv", "PATH", "/usr/bin", "--setenv", "HOME", "/tmp",
      "--", "/bin/sh", "-c", "npm test",
    ]);
  });

  it("shares the network only when asked", () => {
    const args = buildBwrapArgs(options({ shareNetwork: true }));
    const remount = args.indexOf("--remount-ro");

    expect(args.slice(0, 4)).toEqual(["--die-with-parent", "--unshare-all", "--as-pid-1", "--share-net"]);
    expect(args.slice(remount - 3, remount)).toEqual(["--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"]);
  });

  it("binds a Node directory outside the system paths", () => {
    const args = buildBwrapArgs(options({ nodeDirectory: "/root/.cache/node24/bin" }));
    const tmpfs = args.lastIndexOf("--tmpfs");

    expect(args.slice(tmpfs, tmpfs + 5)).toEqual(["--tmpfs", "/tmp", "--ro-bind", "/root/.cache/node24/bin", "/root/.cache/node24/bin"]);
  });

  it("rejects a Node directory that exposes a home", () => {
    expect(() => buildBwrapArgs(options({ nodeDirectory: "/root" }))).toThrow(
      "binding the Node directory /root would expose the host path /root. Install Node in a directory of its own, for example under /usr/local or /opt",
    );
  });

  it("never binds home, work or the host tmp", () => {
    const args = buildBwrapArgs(options());

    for (const hostPath of ["/root", "/home", "/work", "/var/run", "/opt", "/etc/shadow"]) expect(args).not.toContain(hostPath);
    expect(args.filter((arg) => arg === "/tmp")).toEqual(["/tmp", "/tmp"]);
  });
});

describe("buildStepEnv", () => {
  it("puts Node first and lets the step override", () => {
    expect(buildStepEnv({ nodeDirectory: "/opt/node/bin", stepEnv: { CI: "false", NODE_ENV: "test" } })).toEqual({
      PATH: "/opt/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: "/tmp",
      CI: "false",
      PADDOCK: "1",
      NODE_ENV: "test",
    });
  });

  it("rejects an invalid variable name", () => {
    expect(() => buildStepEnv({ nodeDirectory: "/usr/bin", stepEnv: { "A=B": "x" } })).toThrow(
      'step environment variable name "A=B" is invalid. Use letters, digits and underscores, not starting with a digit',
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [1, "1s"],
    [1.5, "1.5s"],
    [600, "10m"],
    [65, "1m5s"],
    [5400, "1h30m"],
    [0, "0s"],
  ])("formats %s seconds as %s", (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});
