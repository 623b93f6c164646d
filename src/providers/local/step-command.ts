import path from "node:path";

import type { StepSpec } from "../provider.ts";
import { buildBwrapArgs, type HostRootEntry } from "./bwrap-args.ts";
import { assertCloserShell, closeInheritedFds } from "./close-inherited-fds.ts";
import { findBwrap } from "./find-bwrap.ts";
import { readHostLayout } from "./host-layout.ts";
import { assertParentDeathProgram, killGroupWithParent, killWithParent } from "./parent-death.ts";
import { prepareSandboxEtc, type SandboxEtcEntry } from "./sandbox-etc.ts";
import { createRunMarker, RUN_MARKER_VARIABLE } from "./marked-processes.ts";
import { meterCommand, USAGE_FILE_NAME } from "./usage-meter.ts";
import type { RunSandboxedOptions } from "./run-sandboxed.ts";
import { buildStepEnv } from "./step-env.ts";

/** Sandbox mode of the local provider: bubblewrap, or directly on the host after an explicit opt-in. */
export type SandboxMode = "bwrap" | "none";

/** The part of `runSandboxed`'s options that depends on the sandbox mode. */
export type StepCommand = Pick<RunSandboxedOptions, "argv" | "env" | "cwd" | "logPreamble" | "processMarker"> & {
  /** Set when the step runs unsandboxed; the provider adds it to the result's reason. */
  unsandboxedNote?: string;
  /** Host path of the step's usage report, when GNU time meters it. */
  usageReport?: string;
};

/** A network namespace that a step joins so that it reaches the services on 127.0.0.1. */
export interface ServiceNetwork {
  /** Host PID of a process in the service sandbox. */
  pid: number;
  /** Whether the step must also join that process's user namespace, which owns the network namespace. */
  joinUserNamespace: boolean;
}

/** The program that runs the service supervisor, sandboxed like a step but with devices that steps can join under. */
export type ServiceHostCommand = Pick<RunSandboxedOptions, "argv" | "env" | "cwd" | "processMarker"> & {
  /** The child's file descriptor on which bwrap writes its JSON status; unset when unsandboxed. */
  infoFd?: number;
};

/** Builds step commands for one sandbox mode. */
export interface StepCommandFactory {
  /** Throws `SANDBOX_UNAVAILABLE` when the sandbox cannot run here. */
  check(): Promise<void>;
  /**
   * `usageDirectory` is a fresh host folder for the usage report, never bound into the sandbox;
   * without it the step is not metered. With `serviceNetwork` the step runs in the services' network namespace.
   */
  build(request: { step: StepSpec; checkout: string; shareNetwork: boolean; usageDirectory?: string; serviceNetwork?: ServiceNetwork }): Promise<StepCommand>;
  /**
   * Builds the command that runs `program` (the service supervisor) over the checkout. `logFds`
   * are the descriptors the spawner passes for the services' output, which stay open.
   */
  buildServiceHost(request: { checkout: string; shareNetwork: boolean; program: [string, ...string[]]; logFds: number[] }): Promise<ServiceHostCommand>;
}

/** The bwrap child's file descriptor for its JSON status in the service sandbox. */
export const SERVICE_INFO_FD = 3;

const UNSANDBOXED_NOTE = 'ran unsandboxed on the host (sandbox: "none")';

/** Options of {@link createStepCommand}. */
export interface StepCommandOptions {
  sandbox: SandboxMode;
  bwrapPath?: string;
  /** nsenter binary (util-linux), with which steps join the services' network namespace. */
  nsenterPath?: string;
  nodeDirectory?: string;
  /** Host folder whose allowed entries make up the sandbox's /etc (see `SANDBOX_ETC_PATHS`); /etc by default. */
  hostEtc?: string;
  /** Host folder where the sandbox's generated /etc/passwd and /etc/group are written. */
  accountsDirectory: string;
}

/**
 * Creates the factory that turns a step into the program to spawn. With "bwrap" the bwrap
 * binary, the host layout and the sandbox's /etc are looked up once and cached. With "none" the
 * step's shell runs on the host in the checkout with the same environment plus PADDOCK_RUN_ID,
 * which marks its processes so that the step's end kills them all, and the result's reason
 * records that it ran unsandboxed. In both modes the step dies with Paddock, even when Paddock is killed with SIGKILL, and
 * GNU time meters it from outside the sandbox. Without a sandbox, a process that left the
 * step's process group (setsid) survives a Paddock killed with SIGKILL.
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
      await assertCloserShell();
      if (options.sandbox === "bwrap") await loadSandbox();
      else await assertParentDeathProgram();
    },

    async build({ step, checkout, shareNetwork, usageDirectory, serviceNetwork }) {
      const env = buildStepEnv({ nodeDirectory, stepEnv: step.env });
      const usageReport = usageDirectory === undefined ? undefined : path.join(usageDirectory, USAGE_FILE_NAME);
      if (options.sandbox === "none") {
        const shell: [string, ...string[]] = ["/bin/sh", "-c", step.run];
        const processMarker = createRunMarker();
        return {
          argv: closeInheritedFds(killGroupWithParent(usageReport === undefined ? shell : meterCommand({ argv: shell, reportPath: usageReport }))),
          ...(usageReport === undefined ? {} : { usageReport }),
          env: { ...env, [RUN_MARKER_VARIABLE]: processMarker },
          processMarker,
          cwd: checkout,
          logPreamble: `paddock: WARNING: step ${step.name} ${UNSANDBOXED_NOTE}\n`,
          unsandboxedNote: UNSANDBOXED_NOTE,
        };
      }

      const { bwrap, hostEntries, etcEntries } = await loadSandbox();
      const args = buildBwrapArgs({
        hostEntries,
        etcEntries,
        nodeDirectory,
        workspaceDirectory: checkout,
        shareNetwork,
        keepNetworkNamespace: serviceNetwork !== undefined,
        env,
        command: step.run,
      });
      const sandboxed: [string, ...string[]] = [bwrap, ...args];
      const argv = serviceNetwork === undefined ? sandboxed : joinServiceNetwork({ nsenter: options.nsenterPath ?? DEFAULT_NSENTER_PATH, network: serviceNetwork, argv: sandboxed });
      if (usageReport === undefined) return { argv: closeInheritedFds(argv), env: {} };
      // GNU time runs outside the sandbox, so the step cannot reach its report. It dies with
      // Paddock, because bwrap's --die-with-parent fires only when its parent, GNU time, dies.
      return { argv: closeInheritedFds(killWithParent(meterCommand({ argv, reportPath: usageReport }))), env: {}, usageReport };
    },

    async buildServiceHost({ checkout, shareNetwork, program, logFds }) {
      const env = buildStepEnv({ nodeDirectory, stepEnv: {} });
      if (options.sandbox === "none") {
        const processMarker = createRunMarker();
        return { argv: closeInheritedFds(killGroupWithParent(program), { keep: logFds }), env: { ...env, [RUN_MARKER_VARIABLE]: processMarker }, cwd: checkout, processMarker };
      }

      const { bwrap, hostEntries, etcEntries } = await loadSandbox();
      const args = buildBwrapArgs({
        hostEntries,
        etcEntries,
        nodeDirectory,
        workspaceDirectory: checkout,
        shareNetwork,
        env,
        command: "",
        program,
        devices: "minimal",
        infoFd: SERVICE_INFO_FD,
      });
      return { argv: closeInheritedFds([bwrap, ...args], { keep: [SERVICE_INFO_FD, ...logFds] }), env: {}, infoFd: SERVICE_INFO_FD };
    },
  };
}

/** Default nsenter path (util-linux), which steps use to join the services' network namespace. */
export const DEFAULT_NSENTER_PATH = "/usr/bin/nsenter";

/**
 * Prefixes a sandboxed command with nsenter, so that it starts in the services' network
 * namespace (and the user namespace that owns it). nsenter execs the command without forking,
 * so bwrap keeps its parent and the step's process group stays as it was.
 */
function joinServiceNetwork(options: { nsenter: string; network: ServiceNetwork; argv: [string, ...string[]] }): [string, ...string[]] {
  const { nsenter, network, argv } = options;
  const userFlag = network.joinUserNamespace ? ["--user"] : [];
  return [nsenter, "--target", String(network.pid), ...userFlag, "--net", "--preserve-credentials", "--", ...argv];
}
