import { spawn } from "node:child_process";
import path from "node:path";

import { describe, expect, it } from "vitest";

const SCRIPT = path.join(import.meta.dirname, "step-fds-script.ts");

/** Descriptors 3 to 12 of the script: more than one digit, so a POSIX shell could not close them all. */
const EXTRA_DESCRIPTORS = 10;

/** Runs the script with extra inherited pipes and returns its JSON output. */
async function runWithExtraDescriptors(): Promise<{ host: string[]; bwrap: string; none: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], { stdio: ["ignore", "pipe", "pipe", ...Array<"pipe">(EXTRA_DESCRIPTORS).fill("pipe")] });
  let output = "";
  let errors = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`step-fds-script exited with ${code}: ${errors}`);
  return JSON.parse(output) as { host: string[]; bwrap: string; none: string };
}

describe("step descriptors", () => {
  it("closes inherited descriptors above 2", async () => {
    const { host, bwrap, none } = await runWithExtraDescriptors();

    // The extra descriptors are open in the Node process, so a leak would show in the steps.
    for (let fd = 3; fd < 3 + EXTRA_DESCRIPTORS; fd += 1) expect(host).toContain(String(fd));
    // Descriptor 3 is the directory `ls` itself opened to read /proc/self/fd.
    expect(bwrap).toBe("0\n1\n2\n3\n");
    expect(none).toBe("0\n1\n2\n3\n");
  });
});
