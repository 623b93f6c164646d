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
});
