import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { readJUnitSummary } from "../../../src/pipeline/junit-summary.ts";
import { createKubernetesProvider } from "../../../src/providers/kubernetes/kubernetes-provider.ts";
import { resolveCredential } from "../../../src/providers/kubernetes/resolve-credential.ts";

const now = () => new Date("2026-01-01T00:00:00Z");
const sha = "a".repeat(40);

describe("resolveCredential", () => {
  it("mints one per call", async () => {
    let minted = 0;
    const credential = async () => ({ url: "https://api.github.com/repos/o/r/tarball/x", token: `t${(minted += 1)}`, expiresAt: "2026-01-01T01:00:00Z" });

    const first = await resolveCredential({ sha, credential }, now);
    const second = await resolveCredential({ sha, credential }, now);

    expect([first.token, second.token]).toEqual(["t1", "t2"]);
  });

  it("rejects a token about to expire", async () => {
    const credential = { url: "https://api.github.com/x", token: "t", expiresAt: "2026-01-01T00:05:00Z" };

    await expect(resolveCredential({ sha, credential }, now)).rejects.toThrow(`the source credential for commit ${sha} expires at 2026-01-01T00:05:00Z, in less than 10 minutes`);
  });

  it("rejects a plain http URL", async () => {
    const credential = { url: "http://api.github.com/x", token: "t", expiresAt: "2026-01-01T01:00:00Z" };

    await expect(resolveCredential({ sha, credential }, now)).rejects.toThrow("the source URL http://api.github.com/x for commit");
  });
});

describe("createKubernetesProvider", () => {
  it("rejects a source a pod cannot fetch", async () => {
    // No request is sent: the source is checked before anything else.
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: "none", server: "https://127.0.0.1:9", skipTLSVerify: false }],
      users: [{ name: "none", token: "unused" }],
      contexts: [{ name: "none", cluster: "none", user: "none" }],
      currentContext: "none",
    });
    const provider = createKubernetesProvider({ kubeConfig });
    const environment = { name: "e", labels: {}, annotations: {}, resources: { cpu: "1", memory: "1Gi" }, egress: [], ttlSeconds: 60 };

    const preparing = provider.prepare({ environment, source: { kind: "git", sha, repositoryDir: "/tmp/r" }, signal: new AbortController().signal });

    await expect(preparing).rejects.toThrow(`the kubernetes provider cannot fetch a git source for commit ${sha}`);
  });
});

describe("readJUnitSummary", () => {
  it("rejects JSON of another shape", () => {
    expect(readJUnitSummary({ json: '{"paddock":"junit-summary/v1","tests":-1}' })).toMatchObject({ ok: false });
  });

  it("reports invalid JSON", () => {
    expect(readJUnitSummary({ json: "{" }).ok).toBe(false);
  });
});
