import { execFileSync } from "node:child_process";
import { access, mkdir, readFile, readdir, readlink, symlink, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { fetchSource } from "../../../src/providers/local/fetch-source.ts";
import type { SourceSpec } from "../../../src/providers/provider.ts";
import { buildTarball, makeTemporaryDirectory, openBuffer, removeTemporaryDirectories, type TarEntry } from "./helpers.ts";

const SHA = "abcdef0123456789abcdef0123456789abcdef01";
const signal = new AbortController().signal;

afterAll(removeTemporaryDirectories);

/** Extracts a hand-built tarball into `<parent>/checkout` and returns both paths. */
async function fetchTarball(entries: TarEntry[], maxBytes?: number) {
  const parent = await makeTemporaryDirectory("fetch");
  const destination = path.join(parent, "checkout");
  const source: SourceSpec = { kind: "tarball", sha: SHA, open: openBuffer(buildTarball(entries)) };
  const outcome = await fetchSource({ source, destination, signal, maxBytes }).then(
    () => undefined,
    (error: unknown) => error,
  );
  return { parent, destination, outcome };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

function expectFetchError(outcome: unknown, message: string): void {
  expect(outcome).toBeInstanceOf(PaddockError);
  expect((outcome as PaddockError).code).toBe("SOURCE_FETCH_FAILED");
  expect((outcome as PaddockError).message).toBe(message);
}

describe("fetchSource tarball", () => {
  it("strips the top-level folder", async () => {
    const { destination, outcome } = await fetchTarball([
      { path: "octo-demo-abcdef0/", type: "Directory" },
      { path: "octo-demo-abcdef0/src/", type: "Directory" },
      { path: "octo-demo-abcdef0/src/index.js", content: "console.log(1);\n" },
      { path: "octo-demo-abcdef0/link.js", type: "SymbolicLink", linkpath: "src/index.js" },
    ]);

    expect(outcome).toBeUndefined();
    expect((await readdir(destination)).sort()).toEqual(["link.js", "src"]);
    expect(await readFile(path.join(destination, "src", "index.js"), "utf8")).toBe("console.log(1);\n");
    expect(await readlink(path.join(destination, "link.js"))).toBe("src/index.js");
  });

  it("rejects a ../escape entry", async () => {
    const { parent, outcome } = await fetchTarball([
      { path: "octo-demo/", type: "Directory" },
      { path: "../escape", content: "owned\n" },
    ]);

    expectFetchError(
      outcome,
      `extracting the tarball of ${SHA} failed: entry ../escape contains a '..' component. Paddock rejects archives that could write outside the checkout`,
    );
    expect(await exists(path.join(parent, "escape"))).toBe(false);
  });

  it("rejects an absolute path", async () => {
    const { outcome } = await fetchTarball([{ path: "/etc/cron.d/evil", content: "x\n" }]);

    expectFetchError(
      outcome,
      `extracting the tarball of ${SHA} failed: entry /etc/cron.d/evil has an absolute path. Paddock rejects archives that could write outside the checkout`,
    );
  });

  it("rejects a symlink pointing outside", async () => {
    const { outcome } = await fetchTarball([
      { path: "octo-demo/", type: "Directory" },
      { path: "octo-demo/up", type: "SymbolicLink", linkpath: "../../.." },
    ]);

    expectFetchError(
      outcome,
      `extracting the tarball of ${SHA} failed: symbolic link octo-demo/up points outside the archive to "../../..". Paddock rejects archives that could write outside the checkout`,
    );
  });

  it("rejects .. after a name in a link", async () => {
    const { outcome } = await fetchTarball([
      { path: "octo-demo/", type: "Directory" },
      { path: "octo-demo/d/", type: "Directory" },
      { path: "octo-demo/d/up", type: "SymbolicLink", linkpath: ".." },
      { path: "octo-demo/escape", type: "SymbolicLink", linkpath: "d/up/.." },
    ]);

    expectFetchError(
      outcome,
      `extracting the tarball of ${SHA} failed: symbolic link octo-demo/escape has a '..' after a name in its target "d/up/..". Paddock rejects archives that could write outside the checkout`,
    );
  });

  it("accepts a link climbing to a sibling", async () => {
    const { destination, outcome } = await fetchTarball([
      { path: "octo-demo/a/b/", type: "Directory" },
      { path: "octo-demo/c.txt", content: "c\n" },
      { path: "octo-demo/a/b/c.txt", type: "SymbolicLink", linkpath: "../../c.txt" },
    ]);

    expect(outcome).toBeUndefined();
    expect(await readFile(path.join(destination, "a", "b", "c.txt"), "utf8")).toBe("c\n");
  });

  it("rejects a second top-level folder", async () => {
    const { outcome } = await fetchTarball([
      { path: "octo-demo/a.txt", content: "a\n" },
      { path: "other/b.txt", content: "b\n" },
    ]);

    expectFetchError(
      outcome,
      `extracting the tarball of ${SHA} failed: entry other/b.txt is outside the single top-level folder octo-demo. Paddock rejects archives that could write outside the checkout`,
    );
  });

  it("rejects data that is not gzip", async () => {
    const destination = path.join(await makeTemporaryDirectory("fetch"), "checkout");
    const source: SourceSpec = { kind: "tarball", sha: SHA, open: openBuffer(Buffer.from("not a tarball")) };

    const outcome = await fetchSource({ source, destination, signal }).catch((error: unknown) => error);

    expectFetchError(outcome, `extracting the tarball of ${SHA} failed: incorrect header check. Check that the archive is a valid gzipped tar file`);
  });

  it("accepts files at the byte limit", async () => {
    const { outcome } = await fetchTarball([{ path: "octo-demo/a.txt", content: "12345678" }], 8);

    expect(outcome).toBeUndefined();
  });

  it("rejects files past the byte limit", async () => {
    const { outcome } = await fetchTarball([{ path: "octo-demo/a.txt", content: "123456789" }], 8);

    expectFetchError(
      outcome,
      `extracting the tarball of ${SHA} failed: its files exceed the limit of 8 bytes. Remove large files from the commit, because the limit protects this machine's disk`,
    );
  });
});

describe("fetchSource git", () => {
  async function createRepository(): Promise<{ repositoryDir: string; sha: string }> {
    const repositoryDir = await makeTemporaryDirectory("repo");
    const git = (...args: string[]) => execFileSync("git", ["-C", repositoryDir, ...args], { encoding: "utf8" }).trim();
    git("init", "--quiet");
    await mkdir(path.join(repositoryDir, "src"));
    await writeFile(path.join(repositoryDir, "src", "main.ts"), "export {};\n");
    git("add", ".");
    git("-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "first");
    return { repositoryDir, sha: git("rev-parse", "HEAD") };
  }

  it("extracts a commit of a local repository", async () => {
    const { repositoryDir, sha } = await createRepository();
    const destination = path.join(await makeTemporaryDirectory("fetch"), "checkout");

    await fetchSource({ source: { kind: "git", sha, repositoryDir }, destination, signal });

    expect(await readdir(destination)).toEqual(["src"]);
    expect(await readFile(path.join(destination, "src", "main.ts"), "utf8")).toBe("export {};\n");
  });

  it("names an unknown SHA and the repository", async () => {
    const { repositoryDir } = await createRepository();
    const destination = path.join(await makeTemporaryDirectory("fetch"), "checkout");
    const unknown = "0000000000000000000000000000000000000001";

    const outcome = await fetchSource({ source: { kind: "git", sha: unknown, repositoryDir }, destination, signal }).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(PaddockError);
    expect((outcome as PaddockError).code).toBe("SOURCE_FETCH_FAILED");
    expect((outcome as PaddockError).message).toMatch(
      new RegExp(`^commit ${unknown} not found in git repository ${repositoryDir}\\. Fetch the commit into that repository or check the SHA`),
    );
  });
});

describe("fetchSource directory", () => {
  it("copies files and keeps relative links", async () => {
    const source = await makeTemporaryDirectory("source");
    await writeFile(path.join(source, "a.txt"), "a\n");
    await symlink("a.txt", path.join(source, "b.txt"));
    const destination = path.join(await makeTemporaryDirectory("fetch"), "checkout");

    await fetchSource({ source: { kind: "directory", sha: SHA, directory: source }, destination, signal });

    expect(await readFile(path.join(destination, "a.txt"), "utf8")).toBe("a\n");
    expect(await readlink(path.join(destination, "b.txt"))).toBe("a.txt");
  });
});
