import { open, realpath, stat } from "node:fs/promises";
import path from "node:path";

import type { StepReport } from "../../pipeline/step-result.ts";

/** Largest JUnit XML report read back after a step (10 MiB). */
export const MAX_JUNIT_REPORT_BYTES = 10 * 1024 * 1024;

/** The report, or one line that explains why it was not read. */
export type JunitReadResult = { report: StepReport } | { problem: string };

/**
 * Reads a JUnit XML report that a step wrote inside its checkout. The path must stay inside the
 * checkout after resolving `..` and symlinks, name a regular file, and be at most `maxBytes` long.
 * A step that wrote no report, or an unsafe path, gives a problem instead of an exception.
 */
export async function readJunitReport(options: { checkoutDirectory: string; junitPath: string; maxBytes?: number }): Promise<JunitReadResult> {
  const { junitPath } = options;
  const maxBytes = options.maxBytes ?? MAX_JUNIT_REPORT_BYTES;
  const root = await realpath(options.checkoutDirectory);

  if (path.isAbsolute(junitPath)) return { problem: `JUnit report path ${junitPath} is absolute, but it must be relative to the repository root` };
  if (!isInside(root, path.resolve(root, junitPath))) return { problem: `JUnit report path ${junitPath} escapes the checkout` };

  let resolved: string;
  try {
    resolved = await realpath(path.join(root, junitPath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { problem: `JUnit report ${junitPath} not found after the step` };
    throw error;
  }
  if (!isInside(root, resolved)) return { problem: `JUnit report path ${junitPath} resolves outside the checkout through a symbolic link` };

  // Checked before opening because opening a FIFO would block.
  const stats = await stat(resolved);
  if (!stats.isFile()) return { problem: `JUnit report ${junitPath} is not a regular file` };
  if (stats.size > maxBytes) return { problem: `JUnit report ${junitPath} is ${stats.size} bytes, over the limit of ${maxBytes} bytes` };

  const handle = await open(resolved, "r");
  try {

    // Read at most one byte past the limit, in case the file grew after stat.
    const buffer = Buffer.alloc(stats.size + 1);
    const { bytesRead } = await handle.read({ buffer, position: 0 });
    if (bytesRead > maxBytes) return { problem: `JUnit report ${junitPath} is over the limit of ${maxBytes} bytes` };
    return { report: { format: "junit-xml", path: junitPath, content: buffer.subarray(0, bytesRead).toString("utf8") } };
  } finally {
    await handle.close();
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== "" && relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
