import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { Header } from "tar";

import type { EnvironmentSpec } from "../../../src/providers/provider.ts";

/** Temporary directories created by a test file, removed by `removeTemporaryDirectories`. */
const created: string[] = [];

/** Creates a fresh directory under the host's temporary directory. */
export async function makeTemporaryDirectory(prefix: string): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), `paddock-${prefix}-`));
  created.push(directory);
  return directory;
}

/** Removes every directory `makeTemporaryDirectory` created. */
export async function removeTemporaryDirectories(): Promise<void> {
  await Promise.all(created.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
}

/** Returns an environment spec with no network, for tests. */
export function testEnvironment(overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return {
    name: "pr-1-abc123",
    labels: { "app.kubernetes.io/managed-by": "paddock" },
    annotations: { "paddock.dev/repository": "octo/demo" },
    resources: { cpu: "1", memory: "1Gi" },
    egress: [],
    ttlSeconds: 3600,
    ...overrides,
  };
}

/** One entry of a hand-built tar archive; `content` makes a regular file. */
export interface TarEntry {
  path: string;
  type?: "File" | "Directory" | "SymbolicLink" | "Link";
  content?: string;
  linkpath?: string;
}

/**
 * Builds a gzipped tar archive entry by entry with tar's Header, so that tests can write
 * entries the tar package would never create (`../escape`, absolute paths, outside links).
 */
export function buildTarball(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? "");
    const type = entry.type ?? "File";
    const header = new Header({
      path: entry.path,
      type,
      linkpath: entry.linkpath,
      size: type === "File" ? body.length : 0,
      mode: type === "Directory" ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === "File" && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Opens a buffer as the web stream that a tarball source returns. */
export function openBuffer(buffer: Buffer): () => Promise<ReadableStream<Uint8Array>> {
  return async () => new Blob([new Uint8Array(buffer)]).stream();
}
