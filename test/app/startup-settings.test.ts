import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
// The child runs in a folder without node_modules, so tsx is named by its file, not its package name.
const TSX_LOADER = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const STATE_DIR_HINT = "set it to a folder Paddock can create and write, or leave it empty for .paddock in the working folder";
const KUBECONFIG_HINT = "set it to the path of a readable kubeconfig file (a regular file of at most 1 MiB)";
const SIGNING_KEY_HINT = "set the Ed25519 private key's PEM text, or the path of a PEM file that contains it";

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "paddock-startup-"));
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" });
  await writeFile(join(folder, "rsa.pem"), rsa);
  await writeFile(join(folder, "broken-kubeconfig.yaml"), "clusters: [\n");
  // A FIFO with no writer and a sparse 300 MiB file: both were read without limit before.
  execFileSync("mkfifo", [join(folder, "fifo")]);
  await writeFile(join(folder, "huge.yaml"), "");
  await truncate(join(folder, "huge.yaml"), 300 * 1024 * 1024);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Starts app/main.ts with `env` and waits for it to exit, which a bad setting makes it do at once. */
async function startApp(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, join(ROOT, "app/main.ts")], {
    cwd: folder,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", HOST: "127.0.0.1", PADDOCK_STATE_DIR: join(folder, "state"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // A process that hangs instead of exiting fails the test with code null.
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((done) => child.on("exit", done));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe("app start-up settings", () => {
  const cases: Array<{ variable: string; env: Record<string, string>; stderr: string }> = [
    { variable: "LOG_LEVEL", env: { LOG_LEVEL: "loud" }, stderr: "LOG_LEVEL=loud is invalid. set one of trace, debug, info, warn, error, fatal, silent" },
    {
      variable: "PADDOCK_STATE_DIR under /proc",
      env: { PADDOCK_STATE_DIR: "/proc/nope" },
      stderr: `PADDOCK_STATE_DIR=/proc/nope is invalid: /proc is a kernel file system, where nothing can be stored. ${STATE_DIR_HINT}`,
    },
    { variable: "PADDOCK_STATE_DIR on a file", env: { PADDOCK_STATE_DIR: "/etc/passwd" }, stderr: `PADDOCK_STATE_DIR=/etc/passwd is not a folder. ${STATE_DIR_HINT}` },
    {
      variable: "PADDOCK_WEBHOOK_MAX_BYTES",
      env: { PADDOCK_WEBHOOK_MAX_BYTES: "lots" },
      stderr: "PADDOCK_WEBHOOK_MAX_BYTES=lots is invalid: set a whole number of bytes, 1 or more (the default is 26214400)",
    },
    { variable: "PADDOCK_AUDIT_SPOOL", env: { PADDOCK_AUDIT_SPOOL: "disk" }, stderr: "PADDOCK_AUDIT_SPOOL=disk is invalid. set file (the default) or kubernetes" },
    {
      variable: "PADDOCK_AUDIT_REPOSITORY",
      env: { PADDOCK_AUDIT_REPOSITORY: "acme", PADDOCK_AUDIT_TOKEN: "test-token" },
      stderr: "PADDOCK_AUDIT_REPOSITORY=acme is invalid. set it to owner/name, such as acme/paddock-audit",
    },
    {
      variable: "PADDOCK_KUBECONFIG naming no file",
      env: { PADDOCK_PROVIDER: "kubernetes", PADDOCK_KUBECONFIG: "missing.yaml" },
      stderr: `PADDOCK_KUBECONFIG=missing.yaml: file not found. ${KUBECONFIG_HINT}`,
    },
    {
      variable: "PADDOCK_KUBECONFIG naming a FIFO",
      env: { PADDOCK_PROVIDER: "kubernetes", PADDOCK_KUBECONFIG: "fifo" },
      stderr: `PADDOCK_KUBECONFIG=fifo: is a FIFO (named pipe), not a regular file. ${KUBECONFIG_HINT}`,
    },
    {
      variable: "PADDOCK_KUBECONFIG over 1 MiB",
      env: { PADDOCK_PROVIDER: "kubernetes", PADDOCK_KUBECONFIG: "huge.yaml" },
      stderr: `PADDOCK_KUBECONFIG=huge.yaml: file is 314572800 bytes, over the limit of 1048576 bytes. ${KUBECONFIG_HINT}`,
    },
    {
      variable: "PADDOCK_KUBECONFIG with invalid YAML",
      env: { PADDOCK_PROVIDER: "kubernetes", PADDOCK_KUBECONFIG: "broken-kubeconfig.yaml" },
      stderr:
        "PADDOCK_KUBECONFIG=broken-kubeconfig.yaml is not a valid kubeconfig: invalid YAML at line 2, column 1: unexpected end of the stream within a flow collection. check it with `kubectl --kubeconfig FILE config view`, or export a new one with `kubectl config view --minify --raw`",
    },
    {
      variable: "PADDOCK_CLUSTER on the local provider",
      env: { PADDOCK_CLUSTER: "prod eu" },
      stderr: 'PADDOCK_CLUSTER="prod eu" is invalid. set a name of 1 to 63 letters, digits, dots, dashes or underscores that starts with a letter or digit, such as prod-eu-1',
    },
    {
      variable: "PADDOCK_CLUSTER on the kubernetes provider",
      env: { PADDOCK_PROVIDER: "kubernetes", PADDOCK_KUBECONFIG: "missing.yaml", PADDOCK_CLUSTER: "-prod" },
      stderr: 'PADDOCK_CLUSTER="-prod" is invalid. set a name of 1 to 63 letters, digits, dots, dashes or underscores that starts with a letter or digit, such as prod-eu-1',
    },
    {
      variable: "PADDOCK_AUDIT_SIGNING_KEY naming no file",
      env: { PADDOCK_AUDIT_SIGNING_KEY: "audit-signing.pem" },
      stderr: `PADDOCK_AUDIT_SIGNING_KEY (value not shown): file not found. ${SIGNING_KEY_HINT}`,
    },
    {
      variable: "PADDOCK_AUDIT_SIGNING_KEY naming a FIFO",
      env: { PADDOCK_AUDIT_SIGNING_KEY: "fifo" },
      stderr: `PADDOCK_AUDIT_SIGNING_KEY (value not shown): is a FIFO (named pipe), not a regular file. ${SIGNING_KEY_HINT}`,
    },
    {
      variable: "PADDOCK_AUDIT_SIGNING_KEY naming an RSA key",
      env: { PADDOCK_AUDIT_SIGNING_KEY: "rsa.pem" },
      stderr: "PADDOCK_AUDIT_SIGNING_KEY=rsa.pem: the checkpoint private key is rsa, not ed25519. make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem`",
    },
  ];

  for (const { variable, env, stderr } of cases) {
    it(`rejects a bad ${variable} before ready`, async () => {
      const result = await startApp(env);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`paddock: ${stderr}\n`);
      expect(result.stdout).not.toContain("paddock runtime ready");
    });
  }

  it("never prints a broken signing key", async () => {
    const canary = "CANARYKEYMATERIAL0123456789";
    // The key is rejected before any request, and port 9 on loopback keeps a stray one on this machine.
    const env = {
      PADDOCK_AUDIT_REPOSITORY: "acme/paddock-audit",
      PADDOCK_AUDIT_TOKEN: "test-token",
      GITHUB_API_URL: "http://127.0.0.1:9",
      PADDOCK_AUDIT_SIGNING_KEY: `-----BEGIN PRIVATE KEY-----\n${canary}\n-----END PRIVATE KEY-----\n`,
    };

    const result = await startApp(env);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "paddock: PADDOCK_AUDIT_SIGNING_KEY (PEM text): the checkpoint private key is not a readable PEM key. make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem` and its public half with `openssl pkey -in audit-signing.pem -pubout`\n",
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(canary);
  });
});
