import { existsSync } from "node:fs";
import path from "node:path";

import type { StepSpec } from "../provider.ts";
import { buildBwrapArgs, HIDDEN_SYSTEM_FILES, HIDDEN_SYSTEM_FOLDERS, type HostRootEntry } from "./bwrap-args.ts";
import { findBwrap } from "./find-bwrap.ts";
import { readHostLayout } from "./host-layout.ts";
import { meterCommand, USAGE_FILE_NAME } from "./usage-meter.ts";
import type { RunSandboxedOptions } from "./run-sandboxed.ts";
import { buildStepEnv } from "./step-env.ts";

/** Sandbox mode of the local provider: bubblewrap, or directly on the host after an explicit opt-in. */
export type SandboxMode = "bwrap" | "none";

/** The part of `runSandboxed`'s options that depends on the sandbox mode. */
export type StepCommand = Pick<RunSandboxedOptions, "argv" | "env" | "cwd" | "logPreamble"> & {
  /** Set when the step runs unsandboxed; the provider adds it to the result's reason. */
  unsandboxedNote?: string;
  /** Host path of the step's usage report, when GNU time meters it. */
  usageReport?: string;
};

/** Builds step commands for one sandbox mode. */
export interface StepCommandFactory {
  /** Throws `SANDBOX_UNAVAILABLE` when the sandbox cannot run here. */
  check(): Promise<void>;
  /** `usageDirectory` is a fresh host folder for the usage report; without it the step is not metered. */
  build(request: { step: StepSpec; checkout: string; shareNetwork: boolean; usageDirectory?: string }): Promise<StepCommand>;
}

const UNSANDBOXED_NOTE = 'ran unsandboxed on the host (sandbox: "none")';

/**
 * Creates the factory that turns a step into the program to spawn. With "bwrap" the bwrap
 * binary and the host layout are looked up once and cached; with "none" the step's shell runs
 * on the host in the checkout with the same environment, and the result's reason records that.
 */
export function createStepCommand(options: { sandbox: SandboxMode; bwrapPath?: string; nodeDirectory?: string }): StepCommandFactory {
  const nodeDirectory = options.nodeDirectory ?? path.dirname(process.execPath);
  type Sandbox = { bwrap: string; hostEntries: HostRootEntry[]; hiddenPaths: { files: string[]; folders: string[] } };
  let sandboxReady: Promise<Sandbox> | undefined;

  const loadSandbox = (): Promise<Sandbox> => {
    // bwrap can only cover paths that exist, so the secret files are looked up once with the layout.
    const hiddenPaths = { files: HIDDEN_SYSTEM_FILES.filter((file) => existsSync(file)), folders: HIDDEN_SYSTEM_FOLDERS.filter((folder) => existsSync(folder)) };
    sandboxReady ??= Promise.all([findBwrap({ path: options.bwrapPath }), readHostLayout()]).then(([bwrap, hostEntries]) => ({ bwrap, hostEntries, hiddenPaths }));
    // A failed lookup is not cached, so installing bubblewrap later takes effect without a restart.
    sandboxReady.catch(() => (sandboxReady = undefined));
    return sandboxReady;
  };

  return {
    async check() {
      if (options.sandbox === "bwrap") await loadSandbox();
    },

    async build({ step, checkout, shareNetwork, usageDirectory }) {
      const env = buildStepEnv({ nodeDirectory, stepEnv: step.env });
      const usageReport = usageDirectory === undefined ? undefined : path.join(usageDirectory, USAGE_FILE_NAME);
      if (options.sandbox === "none") {
        const shell: [string, ...string[]] = ["/bin/sh", "-c", step.run];
        return {
          argv: usageReport === undefined ? shell : meterCommand({ argv: shell, reportPath: usageReport }),
          ...(usageReport === undefined ? {} : { usageReport }),
          env,
          cwd: checkout,
          logPreamble: `paddock: WARNING: step ${step.name} ${UNSANDBOXED_NOTE}\n`,
          unsandboxedNote: UNSANDBOXED_NOTE,
        };
      }

      const { bwrap, hostEntries, hiddenPaths } = await loadSandbox();
      const args = buildBwrapArgs({
        hostEntries,
        hiddenPaths,
        nodeDirectory,
        workspaceDirectory: checkout,
        shareNetwork,
        env,
        command: step.run,
        ...(usageDirectory === undefined ? {} : { usageDirectory }),
      });
      return { argv: [bwrap, ...args], env: {}, ...(usageReport === undefined ? {} : { usageReport }) };
    },
  };
}
