import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { openAuditSpoolFromEnv } from "../../src/service/open-audit-spool-from-env.ts";

// A kubeconfig that names a loopback port nothing listens on; opening the spool sends no request.
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: test, user: { token: test-token } }]
contexts: [{ name: test, context: { cluster: test, user: test } }]
current-context: test
`;

describe("openAuditSpoolFromEnv", () => {
  let stateDir: string;
  const warnings: string[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), "paddock-spool-env-"));
    warnings.length = 0;
  });
  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("rejects an unknown spool kind", async () => {
    await expect(openAuditSpoolFromEnv({ env: { PADDOCK_AUDIT_SPOOL: "etcd" }, stateDir, hasLedger: true, logger })).rejects.toThrow(
      "PADDOCK_AUDIT_SPOOL=etcd is invalid. set file (the default) or kubernetes",
    );
  });

  it("rejects a namespace that is not a name", async () => {
    await expect(openAuditSpoolFromEnv({ env: { PADDOCK_AUDIT_SPOOL: "kubernetes", PADDOCK_NAMESPACE: "Paddock_System" }, stateDir, hasLedger: true, logger })).rejects.toThrow(
      "PADDOCK_NAMESPACE=Paddock_System is not a namespace name. set it to the namespace Paddock runs in, such as paddock-system; deploy/50-deployment.yaml sets it from the pod's namespace",
    );
  });

  it("rejects kubernetes without credentials", async () => {
    await expect(openAuditSpoolFromEnv({ env: { PADDOCK_AUDIT_SPOOL: "kubernetes", PADDOCK_NAMESPACE: "paddock-system" }, stateDir, hasLedger: true, logger })).rejects.toThrow(
      "PADDOCK_PROVIDER=kubernetes needs cluster credentials",
    );
  });

  it("opens the kubernetes spool with a kubeconfig", async () => {
    const kubeconfig = join(stateDir, "kubeconfig.yaml");
    writeFileSync(kubeconfig, KUBECONFIG);

    const spool = await openAuditSpoolFromEnv({ env: { PADDOCK_AUDIT_SPOOL: "kubernetes", PADDOCK_NAMESPACE: "paddock-system", PADDOCK_KUBECONFIG: kubeconfig }, stateDir, hasLedger: true, logger });

    expect(spool).toHaveProperty("instanceId", expect.stringMatching(/^[0-9a-f]{8}$/));
  });

  it("falls back to the file spool without a ledger", async () => {
    const spool = await openAuditSpoolFromEnv({ env: { PADDOCK_AUDIT_SPOOL: "kubernetes", PADDOCK_NAMESPACE: "paddock-system" }, stateDir, hasLedger: false, logger });

    expect(spool).not.toHaveProperty("instanceId");
    expect(warnings).toEqual([
      "PADDOCK_AUDIT_SPOOL=kubernetes needs PADDOCK_AUDIT_REPOSITORY, because without a ledger the ConfigMaps would only grow; using the file spool",
    ]);
  });
});
