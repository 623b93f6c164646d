import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A step that records what it can see into files of its checkout, and prints nothing: its
 * environment, its own /proc environ, the root folder, the network interfaces (from /proc, since /sys is not mounted), and whether
 * the usual secret mounts exist.
 */
export const PROBE_RUN = [
  "env > seen-env.txt",
  "tr '\\0' '\\n' < /proc/self/environ > seen-proc-environ.txt",
  "ls -a / > seen-root.txt",
  "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > seen-net.txt",
  "for path in /run/secrets /var/run/secrets /var/run/secrets/kubernetes.io $HOME/.git-credentials; do test -e \"$path\" && echo \"$path\"; done > seen-secret-paths.txt",
  "true",
].join("\n");

/** Returns a config whose only step is the probe, with extra config text inserted before `steps:`. */
export function probeConfig(options: { environment?: string; stepEnv?: Record<string, string> } = {}): string {
  const env = Object.entries(options.stepEnv ?? {}).map(([name, value]) => `      ${name}: ${JSON.stringify(value)}\n`).join("");
  const block = PROBE_RUN.split("\n").map((line) => `      ${line}`).join("\n");
  return `${options.environment ?? ""}steps:\n  - name: probe\n    run: |\n${block}\n${env ? `    env:\n${env}` : ""}`;
}

/** What the probe step saw, read back from its checkout. */
export interface ProbeFindings {
  /** Variable names of the step's environment, sorted. */
  envNames: string[];
  /** The whole environment text, `env` and /proc together. */
  envText: string;
  root: string[];
  interfaces: string[];
  secretPaths: string[];
}

/** Reads the files the probe step wrote into `checkout`. */
export function readProbeFindings(checkout: string): ProbeFindings {
  const read = (name: string) => readFileSync(join(checkout, name), "utf8");
  const lines = (name: string) => read(name).split("\n").filter((line) => line !== "");
  const envText = `${read("seen-env.txt")}\n${read("seen-proc-environ.txt")}`;
  return {
    envNames: [...new Set(lines("seen-proc-environ.txt").map((line) => line.split("=")[0]!))].sort(),
    envText,
    root: lines("seen-root.txt").filter((entry) => entry !== "." && entry !== ".."),
    interfaces: lines("seen-net.txt"),
    secretPaths: lines("seen-secret-paths.txt"),
  };
}
