import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/**
 * Time a rejected request may keep sending after the reply before its connection is
 * destroyed. Closing at once, as `connection: close` makes Node do, lets most clients fail with
 * EPIPE before they read the reply.
 */
export const REJECTED_BODY_LINGER_MS = 2_000;

/**
 * Sends a JSON reply to a request whose body is not wanted, then reads and drops the rest of the
 * body, never keeping it. A connection whose body has not ended REJECTED_BODY_LINGER_MS later is
 * destroyed; one whose body ended stays open for the next request.
 */
export function replyAndDiscardBody(options: { request: IncomingMessage; response: ServerResponse; status: number; body: string; headers?: OutgoingHttpHeaders }): void {
  const { request, response } = options;
  response.writeHead(options.status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(options.body)), ...options.headers });
  response.end(options.body);

  if (request.readableEnded) return;
  const socket = request.socket;
  const linger = setTimeout(() => socket.destroy(), REJECTED_BODY_LINGER_MS);
  linger.unref();
  // A keep-alive socket serves many requests, so each rejection removes its own listener.
  const stop = (): void => {
    clearTimeout(linger);
    socket.off("close", stop);
  };
  socket.once("close", stop);
  request.once("end", stop);
  request.resume();
}
