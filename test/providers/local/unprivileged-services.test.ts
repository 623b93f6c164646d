import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

/** UID of the `nobody` account on Debian; the stack runs as this user to prove that no privilege is needed. */
const NOBODY = 65534;
const SCRIPT = path.join(import.meta.dirname, "run-stack-script.ts");
const REPOSITORY = path.resolve(import.meta.dirname, "../../..");

/** Returns whether every folder above `file` lets other users through, so `nobody` can bind it into a sandbox. */
function isReachableByOthers(file: string): boolean {
  for (let folder = path.dirname(file); ; folder = path.dirname(folder)) {
    if ((statSync(folder).mode & 0o001) === 0) return false;
    if (folder === path.dirname(folder)) return true;
  }
}

describe("local services without privileges", () => {
  // Only root can switch to another user; as any other user the rest of the suite already runs unprivileged.
  // A Node kept under a private home folder, such as the Node 24 that CI installs under /root, is out of nobody's reach.
  it.skipIf(process.getuid?.() !== 0 || !isReachableByOthers(process.execPath))("unprivileged step reaches the services", { timeout: 180_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      "/usr/bin/setpriv",
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", process.execPath, "--import", "tsx", SCRIPT],
      { cwd: REPOSITORY, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp" } },
    );
    const outcome = JSON.parse(stdout.trim().split("\n").at(-1)!);

    expect(outcome.uid).toBe(NOBODY);
    expect(outcome.services).toEqual(["ready", "ready"]);
    expect(outcome.step.reason).toBeNull();
    expect(outcome.step.status).toBe("success");
    expect(outcome.step.outputTail).toContain("client got: hello paddock\n");
    expect(outcome.step.outputTail).toContain(`\n${NOBODY}\n`);
    expect(outcome.step.outputTail).not.toContain(outcome.ownNetwork);
    expect(outcome.runningBefore).toBeGreaterThan(0);
    expect(outcome.leftAfter).toEqual([]);
  });
});
