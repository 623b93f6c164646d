import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the loopback GitHub received, with its arrival time from `performance.now()`. */
export interface LoopbackCall {
  method: string;
  path: string;
  receivedAt: number;
}

/**
 * A minimal GitHub API on 127.0.0.1 for benchmarks, where nock inside the process would hide
 * the network: it mints installation tokens, accepts check runs and answers 404 for contents,
 * so a pipeline ends at once with a neutral check run.
 */
export async function startLoopbackGitHub(): Promise<{ baseUrl: string; calls: LoopbackCall[]; close: () => Promise<void> }> {
  const calls: LoopbackCall[] = [];
  let nextId = 1;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = (request.url ?? "/").split("?")[0]!;
      calls.push({ method: request.method ?? "GET", path, receivedAt });
      const reply = (status: number, body: unknown): void => {
        response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      if (request.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
        reply(201, { token: "ghs_loopbackbenchmarktoken", expires_at: new Date(Date.now() + 3_600_000).toISOString() });
      } else if (request.method === "POST" && path.endsWith("/check-runs")) {
        reply(201, { id: nextId++ });
      } else if (request.method === "PATCH" && /\/check-runs\/\d+$/.test(path)) {
        reply(200, { id: Number(path.split("/").at(-1)) });
      } else {
        reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
