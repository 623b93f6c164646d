import { describe, expect, it } from "vitest";
import type { RepoEnvironment } from "../../src/config/repo-config-schema.ts";
import { mergeSettings } from "../../src/policy/merge-settings.ts";
import { resolveProfile, type ActorProfile } from "../../src/policy/profile-schema.ts";

/** An org profile with every field set to a middle value, so both directions can be tested. */
const ORG: ActorProfile = resolveProfile({
  actorClass: "agent",
  written: {
    resources: { cpu: "2", memory: "4Gi", pods: 4 },
    ttl: { default: "2h", max: "8h" },
    concurrency: { perRepository: 6, perActor: 2 },
    egress: ["registry.npmjs.org", "*.github.com"],
    secrets: true,
    registries: ["docker.io", "ghcr.io"],
    approval: "write",
    requireImageDigest: false,
  },
});

function merge(repo: RepoEnvironment | undefined, orgDeny: { registries?: string[]; egress?: string[] } = {}) {
  return mergeSettings({ actorClass: "agent", profile: ORG, orgDeny, repo });
}

describe("mergeSettings", () => {
  it("applies the org profile when the repository sets nothing", () => {
    expect(merge(undefined)).toEqual({
      effective: {
        actorClass: "agent",
        resources: { cpu: "1", memory: "2Gi", pods: 4 },
        ttl: "2h",
        ttlSeconds: 7_200,
        concurrency: { perRepository: 6, perActor: 2 },
        egress: [],
        registries: ["docker.io", "ghcr.io"],
        deny: { registries: [], egress: [] },
        approval: "write",
        requireImageDigest: false,
        secrets: false,
        setByRepository: [],
      },
      violations: [],
    });
  });

  // Each row: the field, a repository value stricter than the org's and the effective value it
  // gives, then a looser value and the violation it gives.
  const caps: Array<[string, RepoEnvironment, (effective: ReturnType<typeof merge>["effective"]) => unknown, unknown, RepoEnvironment, string, string, string]> = [
    ["resources.cpu", { resources: { cpu: "500m" } }, (e) => e.resources.cpu, "500m", { resources: { cpu: "3" } }, "environment.resources.cpu 3 exceeds profiles.agent.resources.cpu 2", "environment.resources.cpu", "profiles.agent.resources.cpu"],
    ["resources.memory", { resources: { memory: "1Gi" } }, (e) => e.resources.memory, "1Gi", { resources: { memory: "5Gi" } }, "environment.resources.memory 5Gi exceeds profiles.agent.resources.memory 4Gi", "environment.resources.memory", "profiles.agent.resources.memory"],
    ["resources.pods", { resources: { pods: 2 } }, (e) => e.resources.pods, 2, { resources: { pods: 9 } }, "environment.resources.pods 9 exceeds profiles.agent.resources.pods 4", "environment.resources.pods", "profiles.agent.resources.pods"],
    ["ttl", { ttl: "30m" }, (e) => [e.ttl, e.ttlSeconds], ["30m", 1_800], { ttl: "9h" }, "environment.ttl 9h exceeds profiles.agent.ttl.max 8h", "environment.ttl", "profiles.agent.ttl.max"],
    ["concurrency.perRepository", { concurrency: { perRepository: 3 } }, (e) => e.concurrency.perRepository, 3, { concurrency: { perRepository: 7 } }, "environment.concurrency.perRepository 7 exceeds profiles.agent.concurrency.perRepository 6", "environment.concurrency.perRepository", "profiles.agent.concurrency.perRepository"],
    ["concurrency.perActor", { concurrency: { perActor: 1 } }, (e) => e.concurrency.perActor, 1, { concurrency: { perActor: 3 } }, "environment.concurrency.perActor 3 exceeds profiles.agent.concurrency.perActor 2", "environment.concurrency.perActor", "profiles.agent.concurrency.perActor"],
    ["egress", { egress: ["registry.npmjs.org"] }, (e) => e.egress, ["registry.npmjs.org"], { egress: ["pypi.org"] }, "environment.egress host pypi.org is not in profiles.agent.egress [registry.npmjs.org, *.github.com]", "environment.egress.0", "profiles.agent.egress"],
    ["registries", { registries: ["ghcr.io"] }, (e) => e.registries, ["ghcr.io"], { registries: ["quay.io"] }, "environment.registries entry quay.io is not in profiles.agent.registries [docker.io, ghcr.io]", "environment.registries.0", "profiles.agent.registries"],
    ["secrets", { secrets: false }, (e) => e.secrets, false, { secrets: true }, "", "", ""],
  ];

  it.each(caps)("keeps a stricter repository %s", (_field, stricter, read, expected) => {
    const result = merge(stricter);
    expect(result.violations).toEqual([]);
    expect(read(result.effective)).toEqual(expected);
  });

  it.each(caps.filter((row) => row[5] !== ""))("reports a looser repository %s as a violation", (_field, _stricter, _read, _expected, looser, message, path, rule) => {
    const result = merge(looser);
    expect(result.violations).toEqual([{ path: path.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part)), rule, message }]);
  });

  it("mounts secrets only when both sides allow them", () => {
    expect(merge({ secrets: true })).toMatchObject({ effective: { secrets: true }, violations: [] });
    const closed = mergeSettings({ actorClass: "fork", profile: { ...ORG, secrets: false }, orgDeny: {}, repo: { secrets: true } });
    expect(closed.effective.secrets).toBe(false);
    expect(closed.violations).toEqual([{ path: ["environment", "secrets"], rule: "profiles.fork.secrets", message: "environment.secrets true is not allowed by profiles.fork.secrets false" }]);
  });

  it("admits a subdomain through a wildcard entry", () => {
    expect(merge({ egress: ["api.github.com"] })).toMatchObject({ effective: { egress: ["api.github.com"] }, violations: [] });
  });

  it("keeps the stricter approval level in both directions", () => {
    expect(merge({ approval: "admin" }).effective.approval).toBe("admin");
    expect(merge({ approval: "none" }).effective.approval).toBe("write");
    expect(merge({ approval: "none" }).violations).toEqual([]);
  });

  it("requires digests when either side requires them", () => {
    expect(merge({ requireImageDigest: true }).effective.requireImageDigest).toBe(true);
    const orgRequires = mergeSettings({ actorClass: "agent", profile: { ...ORG, requireImageDigest: true }, orgDeny: {}, repo: { requireImageDigest: false } });
    expect(orgRequires.effective.requireImageDigest).toBe(true);
    expect(orgRequires.violations).toEqual([]);
  });

  it("joins the denylists of both sides", () => {
    const result = merge({ deny: { registries: ["quay.io"], egress: ["evil.example"] } }, { registries: ["Docker.io"], egress: ["bad.example"] });
    expect(result.effective.deny).toEqual({ registries: ["docker.io", "quay.io"], egress: ["bad.example", "evil.example"] });
    expect(result.violations).toEqual([]);
  });

  it("rejects a requested host that the org denies", () => {
    const result = mergeSettings({ actorClass: "human", profile: { ...ORG, egress: ["*"] }, orgDeny: { egress: ["bad.example"] }, repo: { egress: ["bad.example", "ok.example"] } });
    expect(result.effective.egress).toEqual(["ok.example"]);
    expect(result.violations).toEqual([{ path: ["environment", "egress", 0], rule: "deny.egress", message: "environment.egress host bad.example is in deny.egress [bad.example]" }]);
  });

  it("rejects any host beside a denylist", () => {
    const result = mergeSettings({ actorClass: "human", profile: { ...ORG, egress: ["*"] }, orgDeny: { egress: ["bad.example"] }, repo: { egress: ["*"] } });
    expect(result.effective.egress).toEqual([]);
    expect(result.violations).toEqual([
      { path: ["environment", "egress", 0], rule: "deny.egress", message: "environment.egress * cannot be combined with a denylist of hosts: list the hosts steps need" },
    ]);
  });

  it("rejects a host the repository both requests and denies", () => {
    expect(merge({ egress: ["registry.npmjs.org"], deny: { egress: ["registry.npmjs.org"] } }).violations).toEqual([
      { path: ["environment", "egress", 0], rule: "environment.deny.egress", message: "environment.egress host registry.npmjs.org is also in environment.deny.egress: remove it from one list" },
    ]);
  });

  it("lowers the default request to a smaller cap", () => {
    const small = mergeSettings({ actorClass: "agent", profile: { ...ORG, resources: { cpu: "250m", memory: "512Mi", pods: 1 } }, orgDeny: {}, repo: undefined });
    expect(small.effective.resources).toEqual({ cpu: "250m", memory: "512Mi", pods: 1 });
  });

  it("caps the default TTL at the maximum", () => {
    const result = mergeSettings({ actorClass: "human", profile: { ...ORG, ttl: { default: "24h", max: "6h" } }, orgDeny: {}, repo: undefined });
    expect([result.effective.ttl, result.effective.ttlSeconds]).toEqual(["6h", 21_600]);
  });
});
