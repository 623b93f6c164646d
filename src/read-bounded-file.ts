import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";

/** Maximum size of a kubeconfig or PEM file named in a setting, far above the few kilobytes such files usually take. */
export const MAX_SETTING_FILE_BYTES = 1_048_576;

/** A file rejected for its type or its size, which names the type or the size in its message. */
export class FileRejectedError extends Error {
  override readonly name = "FileRejectedError";
}

/**
 * Reads a UTF-8 file of at most `maxBytes` bytes. The file is opened without blocking, so a
 * FIFO does not hang the open, and then checked through the open descriptor: a FIFO, a device
 * such as /dev/zero, a socket and a file over the limit throw FileRejectedError. At most
 * `maxBytes` bytes are read even if the file grows. A folder throws an EISDIR error, and errors
 * from `open` (ENOENT, EACCES) are thrown unchanged, as readFileSync throws them.
 */
export function readBoundedFile(options: { path: string; maxBytes: number }): string {
  const { path, maxBytes } = options;
  const descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(descriptor);
    // A folder fails as readFileSync fails on one, so callers keep their EISDIR message.
    if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: "EISDIR" });
    if (!stats.isFile()) throw new FileRejectedError(`is ${describeFileType(stats)}, not a regular file`);
    if (stats.size > maxBytes) throw new FileRejectedError(`file is ${stats.size} bytes, over the limit of ${maxBytes} bytes`);
    return readAtMost({ descriptor, maxBytes }).toString("utf8");
  } finally {
    closeSync(descriptor);
  }
}

// Reads until end of file, but rejects a file that grew past the limit since fstat.
function readAtMost(options: { descriptor: number; maxBytes: number }): Buffer {
  const { descriptor, maxBytes } = options;
  const buffer = Buffer.alloc(maxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const read = readSync(descriptor, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  if (length > maxBytes) throw new FileRejectedError(`file is over the limit of ${maxBytes} bytes`);
  return buffer.subarray(0, length);
}

function describeFileType(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "a special file";
}
