import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { DEFAULT_SPOOL_HOLD_MS } from "../../src/audit/kubernetes-audit-spool.ts";
import { createAuditTrailFromEnv } from "../../src/service/create-audit-trail-from-env.ts";

// Nothing listens on loopback port 1, so every spool request fails at once with ECONNREFUSED.
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: test, user: { token: test-token } }]
contexts: [{ name: test, context: { cluster: test, user: test } }]
current-context: test
`;

describe("createAuditTrailFromEnv", () => {
  let stateDir: string;

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), "paddock-trail-env-"));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("flushes the ConfigMap spool once per hold", async () => {
    const kubeconfig = join(stateDir, "kubeconfig.yaml");
    writeFileSync(kubeconfig, KUBECONFIG);
    const errors: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => void errors.push(JSON.parse(line).msg) });
    vi.useFakeTimers({ toFake: ["setInterval"] });
    const env = {
      PADDOCK_AUDIT_REPOSITORY: "acme/paddock-audit",
      PADDOCK_AUDIT_TOKEN: "test-token",
      PADDOCK_AUDIT_SPOOL: "kubernetes",
      PADDOCK_NAMESPACE: "paddock-system",
      PADDOCK_KUBECONFIG: kubeconfig,
    };

    await createAuditTrailFromEnv({ env, stateDir, logger });
    vi.advanceTimersByTime(DEFAULT_SPOOL_HOLD_MS - 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors).toEqual([]);

    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(errors).toEqual(["audit flush failed; the records stay in the spool for the next flush"]), { timeout: 5_000 });
  });

  describe("PADDOCK_AUDIT_SIGNING_KEY", () => {
    const logger = pino({ level: "silent" });
    const ledgerEnv = { PADDOCK_AUDIT_REPOSITORY: "acme/paddock-audit", PADDOCK_AUDIT_TOKEN: "test-token", GITHUB_API_URL: "http://127.0.0.1:1" };
    const keyHint = "set the Ed25519 private key's PEM text, or the path of a PEM file that contains it";
    const pem = () => generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

    async function messageOf(signingKey: string): Promise<string> {
      const error = await createAuditTrailFromEnv({ env: { ...ledgerEnv, PADDOCK_AUDIT_SIGNING_KEY: signingKey }, stateDir, logger }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      if (!(error instanceof Error)) throw new Error("expected createAuditTrailFromEnv to fail");
      return error.message;
    }

    it("accepts PEM text", async () => {
      await expect(createAuditTrailFromEnv({ env: { ...ledgerEnv, PADDOCK_AUDIT_SIGNING_KEY: pem() }, stateDir, logger })).resolves.toBeDefined();
    });

    it("accepts a path", async () => {
      const path = join(stateDir, "audit-signing.pem");
      writeFileSync(path, pem());

      await expect(createAuditTrailFromEnv({ env: { ...ledgerEnv, PADDOCK_AUDIT_SIGNING_KEY: path }, stateDir, logger })).resolves.toBeDefined();
    });

    it("names a missing path", async () => {
      const path = join(stateDir, "missing.pem");

      expect(await messageOf(path)).toBe(`PADDOCK_AUDIT_SIGNING_KEY (value not shown): file not found. ${keyHint}`);
    });

    it("names the path of a file without a key", async () => {
      const path = join(stateDir, "notes.txt");
      writeFileSync(path, "not a key\n");

      expect(await messageOf(path)).toBe(
        `PADDOCK_AUDIT_SIGNING_KEY=${path}: the checkpoint private key is not a readable PEM key. make one with \`openssl genpkey -algorithm ed25519 -out audit-signing.pem\` and its public half with \`openssl pkey -in audit-signing.pem -pubout\``,
      );
    });

    it("never prints a broken key", async () => {
      const canary = "CANARYKEYMATERIAL0123456789";
      const broken = `-----BEGIN PRIVATE KEY-----\n${canary}\n-----END PRIVATE KEY-----\n`;

      const message = await messageOf(broken);

      expect(message).toBe(
        "PADDOCK_AUDIT_SIGNING_KEY (PEM text): the checkpoint private key is not a readable PEM key. make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem` and its public half with `openssl pkey -in audit-signing.pem -pubout`",
      );
      expect(message).not.toContain(canary);
    });

    it("rejects a missing file without a ledger", async () => {
      const path = join(stateDir, "missing.pem");

      const error = await createAuditTrailFromEnv({ env: { PADDOCK_AUDIT_SIGNING_KEY: path }, stateDir, logger }).catch((thrown: unknown) => thrown);

      expect((error as Error).message).toBe(`PADDOCK_AUDIT_SIGNING_KEY (value not shown): file not found. ${keyHint}`);
    });

    it("warns when unused without a ledger", async () => {
      const warnings: string[] = [];
      const capture = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });

      await createAuditTrailFromEnv({ env: { PADDOCK_AUDIT_SIGNING_KEY: pem() }, stateDir, logger: capture });

      expect(warnings).toContain("PADDOCK_AUDIT_SIGNING_KEY is ignored: checkpoints are signed only in a ledger, and PADDOCK_AUDIT_REPOSITORY is not set");
    });
  });
});
