/**
 * Runs `ls /proc/self/fd` as a step in each sandbox mode and prints, as JSON, the descriptors
 * open in this Node process and those each step saw. The test that starts this script passes it
 * extra descriptors, which Node inherits without O_CLOEXEC.
 *
 *   node --import tsx test/providers/local/step-fds-script.ts
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { createLocalProvider } from "../../../src/providers/local/local-provider.ts";

const root = await mkdtemp(path.join(tmpdir(), "paddock-step-fds-"));
try {
  const source = path.join(root, "source");
  await mkdir(source);
  await writeFile(path.join(source, "README.md"), "# demo\n");
  const seen: Record<string, string> = {};
  for (const sandbox of ["bwrap", "none"] as const) {
    const provider = createLocalProvider({ stateDir: path.join(root, `state-${sandbox}`), sandbox });
    const signal = new AbortController().signal;
    const prepared = await provider.prepare({
      environment: { name: `fds-${sandbox}`, labels: {}, annotations: {}, resources: { cpu: "1", memory: "1Gi" }, egress: [], ttlSeconds: 600 },
      source: { kind: "directory", sha: "0123456789abcdef0123456789abcdef01234567", directory: source },
      signal,
    });
    const result = await provider.runStep({ prepared, step: { name: "fds", run: "ls /proc/self/fd", timeoutSeconds: 60, env: {} }, signal });
    seen[sandbox] = result.outputTail;
    await provider.teardown({ environmentName: `fds-${sandbox}` });
  }
  process.stdout.write(`${JSON.stringify({ host: await readdir("/proc/self/fd"), ...seen })}\n`);
} finally {
  await rm(root, { recursive: true, force: true });
}
