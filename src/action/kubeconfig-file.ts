import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** A kubeconfig written for the Kubernetes provider; `remove` deletes it and its folder. */
export interface KubeconfigFile {
  path: string;
  remove: () => Promise<void>;
}

/**
 * Writes the kubeconfig input to a new private folder under `directory` with mode 600, so
 * other users of the runner cannot read it. The caller removes it when the step ends.
 */
export async function writeKubeconfigFile(options: { text: string; directory: string }): Promise<KubeconfigFile> {
  const folder = await mkdtemp(join(options.directory, "paddock-kubeconfig-"));
  const path = join(folder, "config");
  // The flag "wx" fails on an existing file, so the mode is never inherited from one.
  await writeFile(path, options.text, { mode: 0o600, flag: "wx" });
  return { path, remove: () => rm(folder, { recursive: true, force: true }) };
}
