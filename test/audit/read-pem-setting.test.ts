import { generateKeyPairSync } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCheckpointSigningKey } from "../../src/audit/audit-checkpoint.ts";
import { loadPemSettingKey, readPemSetting } from "../../src/audit/read-pem-setting.ts";

const HINT = "set the key";

function privatePem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
}

function readKey(value: string, cwd: string) {
  return loadPemSettingKey(readPemSetting({ name: "KEY", value, cwd, hint: HINT }), loadCheckpointSigningKey);
}

describe("readPemSetting", () => {
  it("takes PEM text as the key", () => {
    const pem = privatePem();

    const setting = readPemSetting({ name: "KEY", value: pem, cwd: "/", hint: HINT });

    expect(setting).toEqual({ pem, label: "KEY (PEM text)" });
    expect(readKey(`\n${pem}`, "/").asymmetricKeyType).toBe("ed25519");
  });

  it("reads a path relative to cwd", () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-pem-"));
    const pem = privatePem();
    writeFileSync(join(folder, "key.pem"), pem);

    expect(readPemSetting({ name: "KEY", value: "key.pem", cwd: folder, hint: HINT })).toEqual({ pem, label: "KEY=key.pem" });
  });

  it("names a missing file", () => {
    expect(messageOf(() => readPemSetting({ name: "KEY", value: "/nonexistent/key.pem", cwd: "/", hint: HINT }))).toBe("KEY=/nonexistent/key.pem: file not found. set the key");
  });

  it("hides a secret value naming no file", () => {
    const keyBody = privatePem().split("\n")[1]!;

    const message = messageOf(() => readPemSetting({ name: "KEY", value: keyBody, cwd: "/", hint: HINT, secret: true }));

    expect(message).toBe("KEY (value not shown): file not found. set the key");
    expect(message).not.toContain(keyBody);
  });

  it("names a folder", () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-pem-"));

    expect(messageOf(() => readPemSetting({ name: "KEY", value: folder, cwd: "/", hint: HINT }))).toBe(`KEY=${folder}: is a folder, not a file. set the key`);
  });

  it("names the setting and path of a non-key file", () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-pem-"));
    writeFileSync(join(folder, "notes.txt"), "not a key\n");

    expect(messageOf(() => readKey("notes.txt", folder))).toBe(
        "KEY=notes.txt: the checkpoint private key is not a readable PEM key. make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem` and its public half with `openssl pkey -in audit-signing.pem -pubout`",
      );
  });

  it("names a public key in place of the private key", () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-pem-"));
    writeFileSync(join(folder, "audit.pub"), generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }));
    const setting = readPemSetting({ name: "PADDOCK_AUDIT_SIGNING_KEY", value: "audit.pub", cwd: folder, hint: HINT, secret: true });

    expect(messageOf(() => loadPemSettingKey(setting, loadCheckpointSigningKey))).toBe(
      "PADDOCK_AUDIT_SIGNING_KEY=audit.pub: the checkpoint private key is a public key, but signing needs the private key. set that setting to the private key, such as audit-signing.pem made by `openssl genpkey -algorithm ed25519 -out audit-signing.pem`, and pass the public key only to `paddock audit verify --public-key`",
    );
  });

  it("never echoes broken key text", () => {
    const canary = "CANARYKEYMATERIAL0123456789";
    const broken = `-----BEGIN PRIVATE KEY-----\n${canary}\n-----END PRIVATE KEY-----\n`;

    const messages = [broken, broken.replace("-----BEGIN", "----BEGIN"), `${canary}\n${canary}`].map((value) => messageOf(() => readKey(value, "/")));

    expect(messages).toEqual([
      "KEY (PEM text): the checkpoint private key is not a readable PEM key. make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem` and its public half with `openssl pkey -in audit-signing.pem -pubout`",
      "KEY is neither PEM text starting with -----BEGIN nor a file path. set the key",
      "KEY is neither PEM text starting with -----BEGIN nor a file path. set the key",
    ]);
  });

  it("rejects a FIFO without blocking", { timeout: 5_000 }, () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-pem-"));
    execFileSync("mkfifo", [join(folder, "key.pem")]);

    const message = messageOf(() => readPemSetting({ name: "KEY", value: "key.pem", cwd: folder, hint: HINT, secret: true }));

    expect(message).toBe("KEY (value not shown): is a FIFO (named pipe), not a regular file. set the key");
  });

  it("rejects a file over 1 MiB", () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-pem-"));
    writeFileSync(join(folder, "key.pem"), "");
    truncateSync(join(folder, "key.pem"), 300 * 1024 * 1024);

    const message = messageOf(() => readPemSetting({ name: "KEY", value: "key.pem", cwd: folder, hint: HINT }));

    expect(message).toBe("KEY=key.pem: file is 314572800 bytes, over the limit of 1048576 bytes. set the key");
  });
});
