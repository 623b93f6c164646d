import { spawn } from "node:child_process";
import { cp, mkdir } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

import { PaddockError, describeError } from "../../errors.ts";
import type { SourceSpec } from "../provider.ts";
import { extractTar } from "./extract-tar.ts";

/** Options of {@link fetchSource}. */
export interface FetchSourceOptions {
  source: SourceSpec;
  /** Directory for the checkout, which must not exist yet; it is created with its parents. */
  destination: string;
  signal: AbortSignal;
  /** Cap on extracted bytes for tarball and git sources (see `MAX_EXTRACTED_BYTES`). */
  maxBytes?: number;
}

/**
 * Materialises the source of one commit into `destination`: a gzipped tarball with one
 * top-level folder, a commit of a local git repository (through `git archive`), or a copy of a
 * directory. Archives go through the same checks (see `extractTar`).
 */
export async function fetchSource(options: FetchSourceOptions): Promise<void> {
  const { source, destination, signal } = options;
  // Node 24's cp rejects an existing destination even when it is empty, so only archives get it created here.
  await mkdir(source.kind === "directory" ? path.dirname(destination) : destination, { recursive: true });

  switch (source.kind) {
    case "tarball": {
      const stream = await source.open(signal);
      const input = Readable.fromWeb(stream as WebReadableStream<Uint8Array>);
      await extractTar({ input, destination, gzip: true, maxBytes: options.maxBytes, description: `tarball of ${source.sha}`, signal });
      return;
    }
    case "git":
      await fetchGitCommit({ repositoryDir: source.repositoryDir, sha: source.sha, destination, signal, maxBytes: options.maxBytes });
      return;
    case "directory":
      signal.throwIfAborted();
      // verbatimSymlinks keeps relative links relative instead of pointing them back at the source.
      await cp(source.directory, destination, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false });
      signal.throwIfAborted();
      return;
  }
}

async function fetchGitCommit(options: { repositoryDir: string; sha: string; destination: string; signal: AbortSignal; maxBytes?: number }): Promise<void> {
  const { repositoryDir, sha, signal } = options;
  const check = await runGit(["-C", repositoryDir, "cat-file", "-e", `${sha}^{commit}`], signal);
  if (check.code !== 0) {
    throw new PaddockError("SOURCE_FETCH_FAILED", `commit ${sha} not found in git repository ${repositoryDir}`, {
      hint: `Fetch the commit into that repository or check the SHA${check.stderr ? ` (git: ${check.stderr})` : ""}`,
    });
  }

  // The prefix gives the archive the single top-level folder that extractTar strips.
  const archive = spawn("git", ["-C", repositoryDir, "archive", "--format=tar", `--prefix=${sha}/`, sha], {
    stdio: ["ignore", "pipe", "pipe"],
    signal,
  });
  const exited = waitForExit(archive);
  try {
    await extractTar({ input: archive.stdout, destination: options.destination, gzip: false, maxBytes: options.maxBytes, description: `git archive of ${sha}`, signal });
  } catch (error) {
    archive.kill("SIGKILL");
    await exited.catch(() => undefined);
    throw error;
  }

  const result = await exited;
  if (result.code !== 0) {
    throw new PaddockError("SOURCE_FETCH_FAILED", `git archive of commit ${sha} in ${repositoryDir} failed with exit code ${result.code}`, {
      hint: result.stderr || "Run the same git archive command by hand to see why",
    });
  }
}

interface GitExit {
  code: number | null;
  stderr: string;
}

function runGit(args: string[], signal: AbortSignal): Promise<GitExit> {
  return waitForExit(spawn("git", args, { stdio: ["ignore", "ignore", "pipe"], signal }));
}

/** Waits for a git process and keeps the first line of its stderr (bounded to 1 KiB). */
function waitForExit(child: ReturnType<typeof spawn>): Promise<GitExit> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < 1024) stderr += chunk.toString("utf8");
    });
    child.once("error", (error) => {
      if (error.name === "AbortError") reject(error);
      else reject(new PaddockError("SOURCE_FETCH_FAILED", `running git failed: ${describeError(error)}`, { hint: "Install git (apt-get install git)", cause: error }));
    });
    child.once("close", (code) => resolve({ code, stderr: (stderr.split("\n")[0] ?? "").slice(0, 1024) }));
  });
}
