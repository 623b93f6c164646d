import type { IncomingMessage } from "node:http";

/** A request body read up to a limit: the bytes, or how many arrived before the limit stopped the read. */
export type BodyRead = { complete: true; data: Buffer } | { complete: false; receivedBytes: number };

/**
 * Reads the request body, but stops keeping chunks once more than `maxBytes` arrived. Rejects
 * when the request fails or its connection closes before the body ended. A body with a
 * Content-Length within the limit is copied into one buffer of that size as it arrives, so a
 * large body is not held twice, as chunks and joined.
 */
export function readBodyWithin(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const declared = Number(request.headers["content-length"]);
    // Node's HTTP parser passes on no more bytes than Content-Length declares.
    const whole = Number.isSafeInteger(declared) && declared >= 0 && declared <= maxBytes ? Buffer.allocUnsafe(declared) : undefined;
    let receivedBytes = 0;

    const onData = (chunk: Buffer): void => {
      const offset = receivedBytes;
      receivedBytes += chunk.length;
      if (whole && receivedBytes <= whole.length) {
        chunk.copy(whole, offset);
        return;
      }
      if (!whole && receivedBytes <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      request.off("close", onClose);
      chunks.length = 0;
      resolve({ complete: false, receivedBytes });
    };
    // The buffer is cut to the bytes received, so none of its uninitialized memory is returned.
    const onEnd = (): void => resolve({ complete: true, data: whole ? whole.subarray(0, receivedBytes) : Buffer.concat(chunks) });
    const onError = (error: Error): void => reject(error);
    // After 'end' the promise is settled, so the 'close' that always follows changes nothing.
    const onClose = (): void => reject(new Error(`connection closed after ${receivedBytes} bytes, before the request body ended`));

    request.on("data", onData);
    request.once("end", onEnd);
    request.once("error", onError);
    request.once("close", onClose);
  });
}
