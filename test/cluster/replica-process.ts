import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { findFreeLoopbackPort, LOOPBACK_WEBHOOK_SECRET, throwawayPrivateKey } from "../loopback-github/paddock-server.ts";
import { waitUntil } from "./wait-until.ts";

const MAIN_SCRIPT = fileURLToPath(new URL("../../app/main.ts", import.meta.url));
/** Prefix of GitHub Enterprise Server's REST API, which Probot adds to GHE_HOST. */
const GHE_API_PREFIX = "/api/v3";

/** One Paddock replica started from app/main.ts as its own node process. */
export interface ReplicaProcess {
  replicaId: string;
  webhookUrl: string;
  child: ChildProcess;
  /** Every JSON log line the process wrote, in order. */
  logs: Array<Record<string, unknown> & { msg?: string; time?: number }>;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts `node --import tsx app/main.ts`, as `npm start` does, with the Kubernetes provider and
 * replica coordination in namespace paddock-system. Probot reaches GitHub through GHE_HOST, so
 * `githubHost` must serve GitHub Enterprise's `/api/v3` paths (see startApiPrefixProxy).
 * Resolves once the webhook front listens on PORT.
 */
export async function startReplicaProcess(options: { replicaId: string; githubHost: string; kubeconfigPath: string; stateDir: string; env?: Record<string, string> }): Promise<ReplicaProcess> {
  const port = await findFreeLoopbackPort();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN_SCRIPT], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      APP_ID: "1",
      PRIVATE_KEY: throwawayPrivateKey(),
      WEBHOOK_SECRET: LOOPBACK_WEBHOOK_SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      PADDOCK_PROVIDER: "kubernetes",
      PADDOCK_KUBECONFIG: options.kubeconfigPath,
      PADDOCK_STATE_DIR: options.stateDir,
      PADDOCK_LEASE_NAMESPACE: "paddock-system",
      PADDOCK_REPLICA_ID: options.replicaId,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: ReplicaProcess["logs"] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      try {
        logs.push(JSON.parse(line) as ReplicaProcess["logs"][number]);
      } catch {
        logs.push({ msg: line, time: Date.now() });
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const replica: ReplicaProcess = { replicaId: options.replicaId, webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`, child, logs, exited };
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`replica ${options.replicaId} exited with ${child.exitCode}: ${logs.map((entry) => entry.msg).join(" | ")}`);
      return logs.some((entry) => entry.msg === "webhook front listening") ? true : undefined;
    },
    { description: `replica ${options.replicaId} to listen on port ${port}`, timeoutMs: 60_000 },
  );
  return replica;
}

/** Returns the log lines of a replica whose message is `msg`. */
export function logsWithMessage(replica: ReplicaProcess, msg: string): ReplicaProcess["logs"] {
  return replica.logs.filter((entry) => entry.msg === msg);
}

/**
 * Starts an HTTP proxy on 127.0.0.1 that strips GitHub Enterprise's `/api/v3` prefix and passes
 * every request on to `target` (the loopback GitHub's origin). Returns its `host:port`.
 */
export async function startApiPrefixProxy(target: string): Promise<{ host: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").startsWith(GHE_API_PREFIX) ? (request.url ?? "/").slice(GHE_API_PREFIX.length) || "/" : (request.url ?? "/");
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path, headers: { ...request.headers, host: upstream.host } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    forwarded.on("error", () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
