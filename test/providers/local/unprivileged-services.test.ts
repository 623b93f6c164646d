import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

/** UID of the `nobody` account on Debian; the stack runs as this user to prove that no privilege is needed. */
const NOBODY = 65534;
const SCRIPT = path.join(import.meta.dirname, "run-stack-script.ts");
const REPOSITORY = path.resolve(import.meta.dirname, "../../..");

describe("local services without privileges", () => {
  // Only root can switch to another user; as any other user the rest of the suite already runs unprivileged.
  it.skipIf(process.getuid?.() !== 0)("unprivileged step reaches the services", { timeout: 180_000 }, async () => {
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
