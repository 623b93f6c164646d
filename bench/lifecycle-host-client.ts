import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

import type { AppHostSettings, HostMessage, HostRequest, MemoryReading, SweepReading } from "./lifecycle-app-host.ts";
import type { MemoryTrace } from "./lifecycle-memory-trace.ts";

const HOST_SCRIPT = fileURLToPath(new URL("./lifecycle-app-host.ts", import.meta.url));
const FRONT_THREAD_SCRIPT = fileURLToPath(new URL("../src/github/webhook-front-thread.ts", import.meta.url));
/** Maximum wait for the host to start or to reply to one request, in milliseconds. */
const HOST_TIMEOUT_MS = 120_000;

/** The parent's handle on an app host process. */
export interface AppHost {
  webhookUrl: string;
  /** Sweeps reported so far, oldest first. */
  sweeps: SweepReading[];
  readMemory(): Promise<MemoryReading>;
  /** Resolves when the app's queue is empty. */
  waitForIdle(): Promise<void>;
  readStats(): Promise<Extract<HostMessage, { type: "stats" }>>;
  /** The memory samples taken since the host started; empty unless `traceIntervalMs` was set. */
  readTrace(): Promise<MemoryTrace>;
  /** Shuts the app down and waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Runtime of the app host. `tsx` compiles the TypeScript sources as they load, as
 * `npm run start:tsx` runs the app. `bundle` runs one JavaScript file that esbuild built from
 * the same sources beforehand, as `npm start` runs `dist/app.js`.
 */
export type HostRuntime = "tsx" | "bundle";

/** Starts lifecycle-app-host.ts with `--expose-gc` and any `nodeOptions` (such as `--trace-gc`), and waits until its server listens. */
export async function startAppHost(settings: AppHostSettings, options: { runtime: HostRuntime; nodeOptions?: string[] }): Promise<AppHost> {
  const bundle = options.runtime === "bundle" ? await bundleHost() : undefined;
  const child = fork(bundle?.file ?? HOST_SCRIPT, [], {
    execArgv: [...(bundle ? ["--expose-gc"] : ["--expose-gc", "--import", "tsx"]), ...(options.nodeOptions ?? [])],
    env: { ...process.env, PADDOCK_BENCH_HOST: JSON.stringify(settings) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const sweeps: SweepReading[] = [];
  child.on("message", (message: HostMessage) => {
    if (message.type === "sweep") sweeps.push(message.sweep);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve())).then(() => bundle?.remove());

  const ready = await waitForMessage(child, "ready");
  const ask = <T extends HostMessage["type"]>(request: HostRequest, type: T): Promise<Extract<HostMessage, { type: T }>> => {
    const answer = waitForMessage(child, type);
    child.send(request);
    return answer;
  };
  return {
    webhookUrl: ready.webhookUrl,
    sweeps,
    readMemory: async () => (await ask({ type: "memory" }, "memory")).memory,
    waitForIdle: async () => void (await ask({ type: "idle" }, "idle")),
    readStats: () => ask({ type: "stats" }, "stats"),
    readTrace: async () => (await ask({ type: "trace" }, "trace")).trace,
    async stop() {
      await ask({ type: "stop" }, "stopped");
      await exited;
    },
  };
}

/**
 * Bundles the host into one ESM file in a new temporary folder, with the same esbuild options
 * as the app's bundle dist/app.js: a banner defines `require` for the CommonJS dependencies.
 * The webhook front thread's entry goes beside it as webhook-front.js, where the bundled
 * start-webhook-front.ts looks for it, as dist/webhook-front.js sits beside dist/app.js.
 */
async function bundleHost(): Promise<{ file: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), "paddock-bench-host-bundle-"));
  const file = join(directory, "lifecycle-app-host.mjs");
  const common = {
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "error",
    banner: { js: "import { createRequire as createBundleRequire } from 'node:module'; const require = createBundleRequire(import.meta.url);" },
  } as const;
  await build({ ...common, entryPoints: [HOST_SCRIPT], outfile: file });
  await build({ ...common, entryPoints: [FRONT_THREAD_SCRIPT], outfile: join(directory, "webhook-front.js") });
  return { file, remove: () => rm(directory, { recursive: true, force: true }) };
}

function waitForMessage<T extends HostMessage["type"]>(child: ChildProcess, type: T): Promise<Extract<HostMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`the app host sent no "${type}" message within ${HOST_TIMEOUT_MS} ms`)), HOST_TIMEOUT_MS);
    const onMessage = (message: HostMessage): void => {
      if (message.type === type) finish(undefined, message as Extract<HostMessage, { type: T }>);
    };
    const onExit = (code: number | null): void => finish(new Error(`the app host exited with code ${code} before sending "${type}"`));
    const finish = (error?: Error, message?: Extract<HostMessage, { type: T }>): void => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(message!);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}
