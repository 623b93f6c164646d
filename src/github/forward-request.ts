import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";

import type { FrontLog } from "./webhook-admission.ts";

/** Hop-by-hop headers (RFC 9110, section 7.6.1), which a proxy must not pass on. */
const HOP_BY_HOP_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

/**
 * Builds a forwarder that passes a request on to `upstream` (an http origin) and streams the
 * reply back: same method, path, headers (Host included, so Probot's setup page builds its links
 * for the public address) and body, with `x-forwarded-for` set. When the upstream cannot be
 * reached, the client gets 502 and the failure is logged.
 */
export function createForwarder(options: { upstream: URL; log: Pick<FrontLog, "warn"> }): { forward(request: IncomingMessage, response: ServerResponse): void; close(): void } {
  const agent = new Agent({ keepAlive: true });
  return {
    forward(request, response) {
      const headers = withoutHopByHop(request.headers);
      headers["x-forwarded-for"] = request.socket.remoteAddress;
      const outgoing = httpRequest({ host: options.upstream.hostname, port: options.upstream.port, method: request.method, path: request.url, headers, agent }, (reply) => {
        response.writeHead(reply.statusCode ?? 502, withoutHopByHop(reply.headers));
        reply.pipe(response);
      });
      outgoing.on("error", (error) => {
        options.log.warn({ method: request.method, url: request.url, upstream: options.upstream.origin, error: error.message }, "forwarding a request to Probot's server failed");
        if (response.headersSent) response.destroy();
        else response.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: `Probot's server at ${options.upstream.origin} did not answer: ${error.message}` }));
      });
      request.pipe(outgoing);
    },
    close: () => agent.destroy(),
  };
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP_HEADERS.has(name)) forwarded[name] = value;
  }
  return forwarded;
}
