import { readFile, readdir, readlink, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a two-service stack for tests. `store` returns its STORE_NAME variable for GET /name,
 * and `api` returns a greeting for GET /greeting after calling store through
 * PADDOCK_SERVICE_STORE_URL. `client.js` is the test step: it calls api and exits 0 only for the
 * expected greeting.
 */
export async function writeServiceStack(directory: string): Promise<void> {
  await writeFile(
    path.join(directory, "store.js"),
    [
      'const http = require("node:http");',
      "http.createServer((request, response) => {",
      '  if (request.url === "/name") return response.end(process.env.STORE_NAME);',
      "  response.statusCode = 404;",
      "  response.end();",
      '}).listen(9090, "127.0.0.1", () => console.log("store listening on 9090"));',
      "",
    ].join("\n"),
  );
  await writeFile(
    path.join(directory, "api.js"),
    [
      'const http = require("node:http");',
      "http.createServer(async (request, response) => {",
      '  if (request.url === "/healthz") return response.end("ok");',
      '  if (request.url === "/greeting") {',
      '    const name = await (await fetch(process.env.PADDOCK_SERVICE_STORE_URL + "/name")).text();',
      '    return response.end("hello " + name);',
      "  }",
      "  response.statusCode = 404;",
      "  response.end();",
      '}).listen(8080, "127.0.0.1", () => console.log("api listening on 8080"));',
      "",
    ].join("\n"),
  );
  await writeFile(
    path.join(directory, "client.js"),
    [
      'fetch(process.env.PADDOCK_SERVICE_API_URL + "/greeting")',
      "  .then((response) => response.text())",
      "  .then((text) => {",
      '    console.log("client got: " + text);',
      '    process.exit(text === "hello paddock" ? 0 : 1);',
      "  });",
      "",
    ].join("\n"),
  );
}

/** Host PIDs of live processes whose command line contains `marker`, leaving out this test process. */
export async function findProcessesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(path.join("/proc", entry, "cmdline"), "utf8").catch(() => "");
    if (cmdline.includes(marker) && (await isLive(Number(entry)))) found.push(Number(entry));
  }
  return found;
}

/** Host PIDs of live processes in the network namespace `link`, such as `net:[4026532182]`. */
export async function findProcessesInNetwork(link: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const namespace = await readlink(path.join("/proc", entry, "ns", "net")).catch(() => undefined);
    if (namespace === link && (await isLive(Number(entry)))) found.push(Number(entry));
  }
  return found;
}

async function isLive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}
