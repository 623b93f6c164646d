import { describe, expect, it } from "vitest";

import { buildBwrapArgs, type BwrapArgsOptions } from "../../../src/providers/local/bwrap-args.ts";

function options(overrides: Partial<BwrapArgsOptions> = {}): BwrapArgsOptions {
  return {
    hostEntries: [{ path: "/usr", kind: "directory" }],
    nodeDirectory: "/usr/bin",
    workspaceDirectory: "/state/checkouts/abc",
    shareNetwork: false,
    env: { HOME: "/tmp" },
    command: "npm test",
    etcEntries: [
      { source: "/etc/hosts", target: "/etc/hosts", networkOnly: false },
      { source: "/etc/resolv.conf", target: "/etc/resolv.conf", networkOnly: true },
    ],
    ...overrides,
  };
}

describe("service sandbox arguments", () => {
  it("binds a few devices in place of /dev", () => {
    const args = buildBwrapArgs(options({ devices: "minimal", program: ["/usr/bin/node", "-e", "0"], infoFd: 3 }));
    const start = args.indexOf("--remount-ro") + 2;

    expect(args.slice(start, args.indexOf("--proc"))).toEqual([
      "--dev-bind", "/dev/null", "/dev/null",
      "--dev-bind", "/dev/zero", "/dev/zero",
      "--dev-bind", "/dev/full", "/dev/full",
      "--dev-bind", "/dev/random", "/dev/random",
      "--dev-bind", "/dev/urandom", "/dev/urandom",
      "--tmpfs", "/dev/shm", "--symlink", "/proc/self/fd", "/dev/fd",
    ]);
    expect(args).not.toContain("--dev");
  });

  it("runs the program and reports on the info descriptor", () => {
    const args = buildBwrapArgs(options({ devices: "minimal", program: ["/usr/bin/node", "-e", "0"], infoFd: 3 }));

    expect(args.slice(-6)).toEqual(["--info-fd", "3", "--", "/usr/bin/node", "-e", "0"]);
    expect(args).not.toContain("/bin/sh");
  });

  it("keeps a joined network without the host's resolver", () => {
    const args = buildBwrapArgs(options({ keepNetworkNamespace: true }));

    expect(args.slice(0, 4)).toEqual(["--die-with-parent", "--unshare-all", "--as-pid-1", "--share-net"]);
    expect(args).toContain("/etc/hosts");
    expect(args).not.toContain("/etc/resolv.conf");
    expect(args).toContain("--dev");
  });
});
