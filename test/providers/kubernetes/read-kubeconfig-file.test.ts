import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { readKubeConfigFile } from "../../../src/providers/kubernetes/read-kubeconfig-file.ts";

const folder = mkdtempSync(join(tmpdir(), "paddock-kubeconfig-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const TOKEN_CANARY = "CANARYTOKEN0123456789";
const VALID_KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "https://127.0.0.1:1", certificate-authority: ca.crt } }]
users: [{ name: test, user: { token: ${TOKEN_CANARY} } }]
contexts: [{ name: test, context: { cluster: test, user: test } }]
current-context: test
`;
const VALIDATE_HINT = "check it with `kubectl --kubeconfig FILE config view`, or export a new one with `kubectl config view --minify --raw`";

function writeKubeconfig(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function catchError(value: string): PaddockError {
  try {
    readKubeConfigFile({ name: "PADDOCK_KUBECONFIG", value });
  } catch (error) {
    expect(error).toBeInstanceOf(PaddockError);
    return error as PaddockError;
  }
  throw new Error(`readKubeConfigFile accepted ${value}`);
}

describe("readKubeConfigFile", () => {
  it("loads a valid file with absolute paths", () => {
    const path = writeKubeconfig("valid.yaml", VALID_KUBECONFIG);

    const kubeConfig = readKubeConfigFile({ name: "PADDOCK_KUBECONFIG", value: path });

    expect(kubeConfig.getCurrentCluster()?.server).toBe("https://127.0.0.1:1");
    expect(kubeConfig.getCurrentCluster()?.caFile).toBe(join(folder, "ca.crt"));
  });

  it("rejects a missing file", () => {
    const path = join(folder, "missing.yaml");

    const error = catchError(path);

    expect(error.code).toBe("USAGE");
    expect(error.message).toBe(`PADDOCK_KUBECONFIG=${path}: file not found. set it to the path of a readable kubeconfig file (a regular file of at most 1 MiB)`);
  });

  it("rejects a folder", () => {
    const path = join(folder, "a-folder");
    mkdirSync(path);

    expect(catchError(path).message).toBe(`PADDOCK_KUBECONFIG=${path}: is a folder, not a file. set it to the path of a readable kubeconfig file (a regular file of at most 1 MiB)`);
  });

  it("rejects invalid YAML without quoting it", () => {
    const path = writeKubeconfig("broken.yaml", `users: [{ name: test, user: { token: ${TOKEN_CANARY} }\n`);

    const error = catchError(path);

    expect(error.message).toBe(`PADDOCK_KUBECONFIG=${path} is not a valid kubeconfig: invalid YAML at line 2, column 1: unexpected end of the stream within a flow collection. ${VALIDATE_HINT}`);
    expect(error.message).not.toContain(TOKEN_CANARY);
  });

  it("rejects an empty file", () => {
    const path = writeKubeconfig("empty.yaml", "");

    expect(catchError(path).message).toBe(`PADDOCK_KUBECONFIG=${path} is not a valid kubeconfig: the file is not a YAML mapping with clusters, contexts and users. ${VALIDATE_HINT}`);
  });

  it("rejects a cluster without a server", () => {
    const path = writeKubeconfig("no-server.yaml", "clusters: [{ name: test, cluster: {} }]\n");

    expect(catchError(path).message).toBe(`PADDOCK_KUBECONFIG=${path} is not a valid kubeconfig: clusters[0].cluster.server is missing. ${VALIDATE_HINT}`);
  });

  it("rejects a file without a current cluster", () => {
    const path = writeKubeconfig("no-context.yaml", VALID_KUBECONFIG.replace("current-context: test\n", ""));

    expect(catchError(path).message).toBe(
      `PADDOCK_KUBECONFIG=${path} names no current cluster with a server. set current-context to a context whose cluster has a server URL, such as \`kubectl --kubeconfig FILE config use-context NAME\``,
    );
  });
});

describe("readKubeConfigFile on special files", () => {
  const READ_HINT = "set it to the path of a readable kubeconfig file (a regular file of at most 1 MiB)";

  it("rejects a FIFO without blocking", { timeout: 5_000 }, () => {
    const path = join(folder, "fifo");
    execFileSync("mkfifo", [path]);

    expect(catchError(path).message).toBe(`PADDOCK_KUBECONFIG=${path}: is a FIFO (named pipe), not a regular file. ${READ_HINT}`);
  });

  it("rejects a file over 1 MiB", () => {
    const path = writeKubeconfig("large", "");
    truncateSync(path, 1_048_577);

    expect(catchError(path).message).toBe(`PADDOCK_KUBECONFIG=${path}: file is 1048577 bytes, over the limit of 1048576 bytes. ${READ_HINT}`);
  });

  it("rejects a character device", () => {
    expect(catchError("/dev/null").message).toBe(`PADDOCK_KUBECONFIG=/dev/null: is a character device, not a regular file. ${READ_HINT}`);
  });
});
