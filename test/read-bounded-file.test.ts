import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileRejectedError, readBoundedFile } from "../src/read-bounded-file.ts";

const folder = mkdtempSync(join(tmpdir(), "paddock-bounded-read-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function rejectionOf(path: string, maxBytes: number): unknown {
  try {
    readBoundedFile({ path, maxBytes });
  } catch (error) {
    return error;
  }
  throw new Error(`readBoundedFile accepted ${path}`);
}

describe("readBoundedFile", () => {
  it("reads a file at the limit", () => {
    const path = join(folder, "at-limit");
    writeFileSync(path, "12345");

    expect(readBoundedFile({ path, maxBytes: 5 })).toBe("12345");
  });

  it("rejects a file one byte over", () => {
    const path = join(folder, "over-limit");
    writeFileSync(path, "123456");

    const error = rejectionOf(path, 5);

    expect(error).toBeInstanceOf(FileRejectedError);
    expect((error as Error).message).toBe("file is 6 bytes, over the limit of 5 bytes");
  });

  it("rejects a large sparse file", () => {
    const path = join(folder, "sparse");
    writeFileSync(path, "");
    truncateSync(path, 300 * 1024 * 1024);

    expect((rejectionOf(path, 1_048_576) as Error).message).toBe("file is 314572800 bytes, over the limit of 1048576 bytes");
  });

  it("rejects a FIFO without blocking", { timeout: 5_000 }, () => {
    const path = join(folder, "fifo");
    execFileSync("mkfifo", [path]);

    expect((rejectionOf(path, 1_048_576) as Error).message).toBe("is a FIFO (named pipe), not a regular file");
  });

  it("rejects a character device", () => {
    expect((rejectionOf("/dev/null", 1_048_576) as Error).message).toBe("is a character device, not a regular file");
  });

  it("fails on a folder with EISDIR", () => {
    const error = rejectionOf(folder, 1_048_576);

    expect(error).not.toBeInstanceOf(FileRejectedError);
    expect((error as NodeJS.ErrnoException).code).toBe("EISDIR");
  });

  it("passes open errors through", () => {
    const error = rejectionOf(join(folder, "missing"), 5);

    expect(error).not.toBeInstanceOf(FileRejectedError);
    expect((error as NodeJS.ErrnoException).code).toBe("ENOENT");
  });
});
