import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { loadDotEnv } from "../../src/service/load-dot-env.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const ENTRY = join(ROOT, "app/main.ts");
// The child runs in a folder without node_modules, so tsx is named by its file, not its package name.
const TSX_LOADER = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const folders: string[] = [];

async function folderWithDotEnv(text: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "paddock-dotenv-"));
  folders.push(folder);
  await writeFile(join(folder, ".env"), text);
  return folder;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

describe("PADDOCK_* settings in .env", () => {
  it("are read by the app before it builds its runtime", async () => {
    const folder = await folderWithDotEnv("PADDOCK_CONCURRENCY=zero\n");
    const child = spawn(process.execPath, ["--import", TSX_LOADER, ENTRY], {
      cwd: folder,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await new Promise<number | null>((done) => child.on("exit", done));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stderr).toBe("paddock: PADDOCK_CONCURRENCY=zero is invalid: set a whole number from 1 to 1000 (the default is 2)\n");
  });

  it("override the process environment, as Probot's own loader does", async () => {
    const folder = await folderWithDotEnv('PADDOCK_PROVIDER=kubernetes\nLOG_LEVEL="debug"\n');
    const env: NodeJS.ProcessEnv = { PADDOCK_PROVIDER: "local", OTHER: "kept" };
    loadDotEnv(env, folder);
    expect(env).toEqual({ PADDOCK_PROVIDER: "kubernetes", LOG_LEVEL: "debug", OTHER: "kept" });
  });

  it("change nothing when the folder has no .env", () => {
    const env: NodeJS.ProcessEnv = { PADDOCK_PROVIDER: "local" };
    loadDotEnv(env, tmpdir() + "/paddock-no-such-folder");
    expect(env).toEqual({ PADDOCK_PROVIDER: "local" });
  });
});
