import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer, type Server } from "node:net";

export const LOOPBACK_HOST = "127.0.0.1";

/** How long one probe request may take. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Reserves `count` distinct free TCP ports on 127.0.0.1. The ports are
 * released before this returns, so another process could take one before the
 * component binds it. That race is rare and shows up as a start error.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnEphemeralPort(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function listenOnEphemeralPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error(`findFreePorts: unexpected listen address ${String(address)}`));
        return;
      }
      resolve(address.port);
    });
  });
}

export interface ProbeResponse {
  status: number;
  body: string;
}

export interface ProbeOptions {
  /** PEM certificates that the HTTPS server's certificate must chain to. */
  ca?: string;
  bearerToken?: string;
}

/** Sends a GET to a loopback URL and returns the status and body. Rejects URLs that are not on 127.0.0.1. */
export function probe(url: string, options: ProbeOptions = {}): Promise<ProbeResponse> {
  const target = new URL(url);
  if (target.hostname !== LOOPBACK_HOST) {
    return Promise.reject(new Error(`probe: rejected URL ${url}, because only ${LOOPBACK_HOST} may be probed`));
  }
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {};
  if (options.bearerToken !== undefined) {
    headers.authorization = `Bearer ${options.bearerToken}`;
  }

  return new Promise((resolve, reject) => {
    const request = send(target, { method: "GET", headers, ca: options.ca, timeout: PROBE_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`probe: ${url} timed out after ${PROBE_TIMEOUT_MS} ms`)));
    request.on("error", reject);
    request.end();
  });
}
