import { request as httpRequest, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readBodyWithin, type BodyRead } from "../../src/github/read-body-within.ts";

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** Sends `parts` to a server on 127.0.0.1 that reads the body within `maxBytes`, and returns the read. */
async function sendAndRead(options: { parts: Buffer[]; maxBytes: number; contentLength?: number }): Promise<BodyRead> {
  let resolveRead!: (read: BodyRead) => void;
  const read = new Promise<BodyRead>((resolve) => (resolveRead = resolve));
  server = createServer((request, response) => {
    void readBodyWithin(request, options.maxBytes).then((result) => {
      resolveRead(result);
      response.end("done");
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const headers = options.contentLength === undefined ? { "transfer-encoding": "chunked" } : { "content-length": String(options.contentLength) };
  const outgoing = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/", headers });
  outgoing.on("error", () => undefined);
  outgoing.on("response", (response) => response.resume());
  for (const part of options.parts) outgoing.write(part);
  outgoing.end();
  return read;
}

describe("readBodyWithin", () => {
  const parts = [Buffer.from('{"action":'), Buffer.from('"opened",'), Buffer.from('"number":7}')];
  const body = Buffer.concat(parts);

  it("reads a declared length whole", async () => {
    const read = await sendAndRead({ parts, maxBytes: 1024, contentLength: body.length });

    expect(read).toEqual({ complete: true, data: body });
  });

  it("reads a chunked body whole", async () => {
    const read = await sendAndRead({ parts, maxBytes: 1024 });

    expect(read).toEqual({ complete: true, data: body });
  });

  it("reads an empty declared body", async () => {
    const read = await sendAndRead({ parts: [], maxBytes: 1024, contentLength: 0 });

    expect(read).toEqual({ complete: true, data: Buffer.alloc(0) });
  });

  it("stops a chunked body over the limit", async () => {
    const read = await sendAndRead({ parts: [body], maxBytes: 12 });

    expect(read).toEqual({ complete: false, receivedBytes: body.length });
  });
});
