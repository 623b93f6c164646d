import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { LIFTOFF_ONLY_FLAG } from "../../src/service/keep-wasm-on-baseline-compiler.ts";

const run = promisify(execFile);
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
const MODULE_URL = new URL("../../src/service/keep-wasm-on-baseline-compiler.ts", import.meta.url).href;

/**
 * Runs a child Node process that sends 400 requests with the built-in fetch to a server on
 * 127.0.0.1, enough for V8 to tier up llhttp's largest WebAssembly function, then waits 3 s for
 * a background compile to finish. Returns V8's `--trace-wasm-compilation-times` lines.
 */
async function traceFetchCompilation(options: { keepBaseline: boolean; nodeFlags?: string[] }): Promise<string[]> {
  const script = `
    import { createServer } from "node:http";
    if (${options.keepBaseline}) (await import(${JSON.stringify(MODULE_URL)})).keepWasmOnBaselineCompiler();
    const body = JSON.stringify(Array.from({ length: 100 }, (_, number) => ({ number, title: "x".repeat(200) })));
    const server = createServer((request, response) => response.end(body)).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = "http://127.0.0.1:" + server.address().port + "/";
    for (let index = 0; index < 400; index += 1) await (await fetch(url)).json();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    server.close();
  `;
  const { stdout } = await run(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", "--trace-wasm-compilation-times", "--input-type=module", "--eval", script], { timeout: 60_000 });
  return stdout.split("\n").filter((line) => line.startsWith("Compiled function"));
}

describe("keepWasmOnBaselineCompiler", () => {
  it("lets V8 tier up fetch's parser when not called", async () => {
    const lines = await traceFetchCompilation({ keepBaseline: false });

    expect(lines.filter((line) => line.includes("using TurboFan")).length).toBeGreaterThan(0);
  }, 70_000);

  // Node 24 (V8 13.6) ignores the flag when it is set at run time, so there only the command line counts.
  it.runIf(NODE_MAJOR === 20)("keeps fetch's parser on Liftoff when called", async () => {
    const lines = await traceFetchCompilation({ keepBaseline: true });

    expect(lines.filter((line) => line.includes("using Liftoff")).length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes("using TurboFan"))).toEqual([]);
  }, 70_000);

  it("keeps fetch's parser on Liftoff with the start flag", async () => {
    const lines = await traceFetchCompilation({ keepBaseline: false, nodeFlags: [LIFTOFF_ONLY_FLAG] });

    expect(lines.filter((line) => line.includes("using Liftoff")).length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes("using TurboFan"))).toEqual([]);
  }, 70_000);

  it("is passed by npm start", () => {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };

    expect(manifest.scripts.start).toBe(`node ${LIFTOFF_ONLY_FLAG} dist/app.js`);
  });
});
