import { existsSync } from "node:fs";
import path from "node:path";

import type { StepSpec } from "../provider.ts";
import { buildBwrapArgs, HIDDEN_SYSTEM_FILES, HIDDEN_SYSTEM_FOLDERS, type HostRootEntry } from "./bwrap-args.ts";
import { findBwrap } from "./find-bwrap.ts";
import { readHostLayout } from "./host-layout.ts";
import type { RunSandboxedOptions } from "./run-sandboxed.ts";
import { buildStepEnv } from "./step-env.ts";

/** Sandbox mode of the local provider: bubblewrap, or directly on the host after an explicit opt-in. */
export type SandboxMode = "bwrap" | "none";

/** The part of `runSandboxed`'s options that depends on the sandbox mode. */
export type StepCommand = Pick<RunSandboxedOptions, "argv" | "env" | "cwd" | "logPreamble"> & {
  /** Set when the step runs unsandboxed; the provider adds it to the result's reason. */
  unsandboxedNote?: string;
};

/** Builds step commands for one sandbox mode. */
export interface StepCommandFactory {
  /** Throws `SANDBOX_UNAVAILABLE` when the sandbox cannot run here. */
  check(): Promise<void>;
  build(request: { step: StepSpec; checkout: string; shareNetwork: boolean }): Promise<StepCommand>;
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

    async build({ step, checkout, shareNetwork }) {
      const env = buildStepEnv({ nodeDirectory, stepEnv: step.env });
      if (options.sandbox === "none") {
        return {
          argv: ["/bin/sh", "-c", step.run],
          env,
          cwd: checkout,
          logPreamble: `paddock: WARNING: step ${step.name} ${UNSANDBOXED_NOTE}\n`,
          unsandboxedNote: UNSANDBOXED_NOTE,
        };
      }

      const { bwrap, hostEntries, hiddenPaths } = await loadSandbox();
      const args = buildBwrapArgs({ hostEntries, hiddenPaths, nodeDirectory, workspaceDirectory: checkout, shareNetwork, env, command: step.run });
      return { argv: [bwrap, ...args], env: {} };
    },
  };
}
