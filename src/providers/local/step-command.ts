import { access, constants } from "node:fs/promises";
import path from "node:path";

import { PaddockError } from "../../errors.ts";
import type { StepSpec } from "../provider.ts";
import { buildBwrapArgs, type HostRootEntry } from "./bwrap-args.ts";
import { findBwrap } from "./find-bwrap.ts";
import { readHostLayout } from "./host-layout.ts";
import { killGroupWithParent, killWithParent, PARENT_DEATH_PROGRAM } from "./parent-death.ts";
import { prepareSandboxEtc, type SandboxEtcEntry } from "./sandbox-etc.ts";
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
  /** `usageDirectory` is a fresh host folder for the usage report, never bound into the sandbox; without it the step is not metered. */
  build(request: { step: StepSpec; checkout: string; shareNetwork: boolean; usageDirectory?: string }): Promise<StepCommand>;
}

const UNSANDBOXED_NOTE = 'ran unsandboxed on the host (sandbox: "none")';

/** Options of {@link createStepCommand}. */
export interface StepCommandOptions {
  sandbox: SandboxMode;
  bwrapPath?: string;
  nodeDirectory?: string;
  /** Host folder whose allowed entries make up the sandbox's /etc (see `SANDBOX_ETC_PATHS`); /etc by default. */
  hostEtc?: string;
  /** Host folder where the sandbox's generated /etc/passwd and /etc/group are written. */
  accountsDirectory: string;
}

/**
 * Creates the factory that turns a step into the program to spawn. With "bwrap" the bwrap
 * binary, the host layout and the sandbox's /etc are looked up once and cached. With "none" the
 * step's shell runs on the host in the checkout with the same environment, and the result's
 * reason records that. In both modes the step dies with Paddock, even when Paddock is killed
 * with SIGKILL, and GNU time meters it from outside the sandbox.
 */
export function createStepCommand(options: StepCommandOptions): StepCommandFactory {
  const nodeDirectory = options.nodeDirectory ?? path.dirname(process.execPath);
  type Sandbox = { bwrap: string; hostEntries: HostRootEntry[]; etcEntries: SandboxEtcEntry[] };
  let sandboxReady: Promise<Sandbox> | undefined;

  const loadSandbox = (): Promise<Sandbox> => {
    sandboxReady ??= Promise.all([
      findBwrap({ path: options.bwrapPath }),
      readHostLayout(),
      prepareSandboxEtc({ hostEtc: options.hostEtc ?? "/etc", accountsDirectory: options.accountsDirectory }),
    ]).then(([bwrap, hostEntries, etcEntries]) => ({ bwrap, hostEntries, etcEntries }));
    // A failed lookup is not cached, so installing bubblewrap later takes effect without a restart.
    sandboxReady.catch(() => (sandboxReady = undefined));
    return sandboxReady;
  };

  return {
    async check() {
      if (options.sandbox === "bwrap") await loadSandbox();
      else await assertParentDeathProgram();
    },

    async build({ step, checkout, shareNetwork, usageDirectory }) {
      const env = buildStepEnv({ nodeDirectory, stepEnv: step.env });
      const usageReport = usageDirectory === undefined ? undefined : path.join(usageDirectory, USAGE_FILE_NAME);
      if (options.sandbox === "none") {
        const shell: [string, ...string[]] = ["/bin/sh", "-c", step.run];
        return {
          argv: killGroupWithParent(usageReport === undefined ? shell : meterCommand({ argv: shell, reportPath: usageReport })),
          ...(usageReport === undefined ? {} : { usageReport }),
          env,
          cwd: checkout,
          logPreamble: `paddock: WARNING: step ${step.name} ${UNSANDBOXED_NOTE}\n`,
          unsandboxedNote: UNSANDBOXED_NOTE,
        };
      }

      const { bwrap, hostEntries, etcEntries } = await loadSandbox();
      const args = buildBwrapArgs({ hostEntries, etcEntries, nodeDirectory, workspaceDirectory: checkout, shareNetwork, env, command: step.run });
      if (usageReport === undefined) return { argv: [bwrap, ...args], env: {} };
      // GNU time runs outside the sandbox, so the step cannot reach its report. It dies with
      // Paddock, because bwrap's --die-with-parent fires only when its parent, GNU time, dies.
      return { argv: killWithParent(meterCommand({ argv: [bwrap, ...args], reportPath: usageReport })), env: {}, usageReport };
    },
  };
}

/** Throws `SANDBOX_UNAVAILABLE` when setpriv is missing, since an unsandboxed step would then outlive Paddock. */
async function assertParentDeathProgram(): Promise<void> {
  try {
    await access(PARENT_DEATH_PROGRAM, constants.X_OK);
  } catch (error) {
    throw new PaddockError("SANDBOX_UNAVAILABLE", `setpriv not found at ${PARENT_DEATH_PROGRAM}: unsandboxed steps need it to die with Paddock`, {
      hint: 'Install util-linux ("apt-get install util-linux"), or run steps in bubblewrap with sandbox: "bwrap"',
      cause: error,
    });
  }
}
