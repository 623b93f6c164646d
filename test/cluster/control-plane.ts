import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { findMissingBinaries, resolveBinDir } from "./binaries.ts";
import {
  apiServerArgs,
  apiServerCertFile,
  componentCertFile,
  controllerManagerArgs,
  etcdArgs,
  kwokArgs,
  pathIn,
  schedulerArgs,
  type ControlPlaneLayout,
} from "./component-args.ts";
import { killComponentNow, startComponent, stopComponent, type ComponentProcess } from "./component-process.ts";
import { componentEnvironment, createDirectories, writeComponentKubeconfigs, writeCredentials, writeAggregationCertificates } from "./control-plane-files.ts";
import type { StaticTokenUser } from "./credentials.ts";
import { connectToControlPlane, type ControlPlaneClients, type ControlPlaneConnection } from "./kubeconfig.ts";
import { findFreePorts, LOOPBACK_HOST } from "./loopback.ts";
import { installKwokResourceUsageDefinition } from "./kwok-resource-usage.ts";
import { registerFakeNode, waitForApiServer, waitForDefaultServiceAccount, waitForEtcd, waitForHealthz } from "./readiness-checks.ts";

/** The kwok stages that move pods through Running to Succeeded or Failed. */
const KWOK_STAGES_FILE = fileURLToPath(new URL("./kwok-stages.yaml", import.meta.url));
/** The kwok resources that emulate the kubelet's resource metrics endpoint. */
const KWOK_METRICS_FILE = fileURLToPath(new URL("./kwok-metrics.yaml", import.meta.url));

export interface StartControlPlaneOptions {
  /** Where the binaries are. Default: the cache directory that build.sh reports for the pinned versions. */
  binDir?: string;
  /** Users to add to the static token file, for tests of RBAC. Get their tokens from `tokens`. */
  users?: StaticTokenUser[];
  /** Keep the temporary directory with its logs after `stop()`. Default: false. */
  keepDirectory?: boolean;
}

/** A running control plane. Call `stop()` when done. */
export interface ControlPlane extends ControlPlaneConnection, ControlPlaneClients {
  /** Stops every component, newest first, and removes the temporary directory unless `keepDirectory` was set. */
  stop(): Promise<void>;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * kwok with one fake node, each on free ports of 127.0.0.1, in a new temporary
 * directory. Resolves once the API server is ready, the controller manager
 * has created the default service account, the scheduler reports healthy and
 * kwok reports the fake node Ready. On failure it stops what it started, keeps
 * the directory and throws an error that quotes the failing component's log.
 */
export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = options.binDir ?? resolveBinDir();
  const missing = findMissingBinaries(binDir);
  if (missing.length > 0) {
    throw new Error(`startControlPlane: ${missing.join(", ")} not found in ${binDir}; run 'bash test/cluster/build.sh' first`);
  }

  const directory = await mkdtemp(join(tmpdir(), "paddock-cluster-"));
  const [etcdClientPort, etcdPeerPort, apiServerPort, controllerManagerPort, schedulerPort, kwokServerPort] = await findFreePorts(6);
  const layout: ControlPlaneLayout = {
    directory,
    etcdClientPort: etcdClientPort!,
    etcdPeerPort: etcdPeerPort!,
    apiServerPort: apiServerPort!,
    controllerManagerPort: controllerManagerPort!,
    schedulerPort: schedulerPort!,
    kwokServerPort: kwokServerPort!,
  };

  const components: ComponentProcess[] = [];
  const killOnExit = (): void => components.forEach(killComponentNow);
  process.once("exit", killOnExit);

  const stopAll = async (): Promise<void> => {
    for (const component of [...components].reverse()) {
      await stopComponent(component);
    }
    process.removeListener("exit", killOnExit);
  };

  try {
    const connection = await startComponents(layout, binDir, options.users ?? [], components);
    return {
      ...connectToControlPlane(connection),
      stop: async () => {
        await stopAll();
        if (options.keepDirectory !== true) {
          await rm(directory, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startComponents(
  layout: ControlPlaneLayout,
  binDir: string,
  extraUsers: StaticTokenUser[],
  components: ComponentProcess[],
): Promise<ControlPlaneConnection> {
  const start = (name: string, args: string[]): ComponentProcess => {
    const component = startComponent({ name, binary: join(binDir, name), args, logDir: pathIn(layout, "logs"), env: componentEnvironment(layout) });
    components.push(component);
    return component;
  };

  // 1. Files: keys, tokens, certificates and directories.
  await createDirectories(layout);
  const tokens = await writeCredentials(layout, extraUsers);
  await writeAggregationCertificates(layout);
  const adminToken = tokens.admin!;

  // 2. etcd, then the API server on top of it.
  const etcd = start("etcd", etcdArgs(layout));
  await waitForEtcd(etcd, `http://${LOOPBACK_HOST}:${layout.etcdClientPort}`);

  const server = `https://${LOOPBACK_HOST}:${layout.apiServerPort}`;
  const apiServer = start("kube-apiserver", apiServerArgs(layout));
  const certificatePem = await waitForApiServer(apiServer, server, apiServerCertFile(layout), adminToken);
  const connection: ControlPlaneConnection = {
    server,
    caData: Buffer.from(certificatePem).toString("base64"),
    adminToken,
    tokens,
    binDir,
    directory: layout.directory,
  };

  // 3. The components that act on the API, started together to save time. kwok watches
  // ResourceUsage objects from its start, so their definition comes first.
  const adminConfig = connectToControlPlane(connection).kubeConfig("admin");
  await writeComponentKubeconfigs(layout, connection);
  const controllerManager = start("kube-controller-manager", controllerManagerArgs(layout));
  const scheduler = start("kube-scheduler", schedulerArgs(layout));
  await installKwokResourceUsageDefinition(adminConfig);
  const kwok = start("kwok", kwokArgs(layout, [KWOK_STAGES_FILE, KWOK_METRICS_FILE]));

  // 4. Readiness that shows each one works, not only that it listens.
  await Promise.all([
    waitForHealthz(controllerManager, `https://${LOOPBACK_HOST}:${layout.controllerManagerPort}`, componentCertFile(layout, "kube-controller-manager")),
    waitForHealthz(scheduler, `https://${LOOPBACK_HOST}:${layout.schedulerPort}`, componentCertFile(layout, "kube-scheduler")),
    registerFakeNode(kwok, adminConfig),
    waitForDefaultServiceAccount(controllerManager, adminConfig),
  ]);
  return connection;
}
