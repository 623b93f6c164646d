import type { IncomingMessage, ServerResponse } from "node:http";

import type { FakeResponse } from "../support/fake-github-types.ts";

/** Largest request body the loopback GitHub reads; GitHub's own API rejects far smaller bodies. */
export const MAX_REQUEST_BODY_BYTES = 50 * 1024 * 1024;

/**
 * Reads a request body: parsed JSON when the content type is JSON and the text parses, the text
 * otherwise, and undefined when there is none. Stops reading past `MAX_REQUEST_BODY_BYTES`.
 */
export async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BODY_BYTES) {
      request.destroy();
      throw new Error(`request body over ${MAX_REQUEST_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8");
  if (!(request.headers["content-type"] ?? "").includes("json")) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Sends a fake response: objects as JSON, strings and buffers as they are. */
export function writeResponse(response: ServerResponse, answer: FakeResponse): void {
  if (response.destroyed) return;
  const { body } = answer;
  const headers = { ...answer.headers };
  let payload: string | Buffer = "";
  if (typeof body === "string" || Buffer.isBuffer(body)) payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  response.writeHead(answer.status, { ...headers, "content-length": String(Buffer.byteLength(payload)) }).end(payload);
}
