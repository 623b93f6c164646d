import { describe, expect, it } from "vitest";
import { readRepoConfig } from "../../src/config/load-repo-config.ts";
import type { ActorClassification } from "../../src/policy/actor-class.ts";
import { decideEnvironment } from "../../src/policy/decide-environment.ts";
import { readOrgPolicy } from "../../src/policy/load-org-policy.ts";
import { orgPolicySchema } from "../../src/policy/org-policy-schema.ts";

const FILE = ".github/paddock-policy.yml";
const HUMAN: ActorClassification = { actorClass: "human", login: "octocat", basis: "default", hints: [] };
const SOURCE = { kind: "file" as const, location: "acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f" };
const ORIGIN = "(org policy acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f)";
const IDLE = { live: { inRepository: 0, forActor: 0 }, spentToday: { repositoryNanos: 0n, actorClassNanos: 0n } };

function problemsOf(text: string) {
  const lookup = readOrgPolicy({ text, source: { location: "test" } });
  return lookup.kind === "invalid" ? lookup.problems : lookup.kind;
}

function decide(options: { policy?: unknown; text: string }) {
  const lookup = readRepoConfig({ text: options.text });
  if (lookup.kind !== "valid") throw new Error(`test config is invalid: ${JSON.stringify(lookup)}`);
  const head = { file: lookup.file, locate: lookup.locate };
  const { images, services, expose } = lookup.config;
  return decideEnvironment({
    policy: orgPolicySchema.parse(options.policy ?? {}),
    source: SOURCE,
    actor: HUMAN,
    steps: { ...head, value: lookup.config.steps },
    stack: { ...head, value: { images, services, expose } },
    usage: IDLE,
  });
}

const STACK = [
  "steps:",
  "  - name: test",
  "    run: npm test",
  "images:",
  "  - name: web",
  "services:",
  "  - name: web",
  "    image: web",
  "    port: 8080",
  "expose: { service: web, port: 8080 }",
  "",
].join("\n");

describe("org policy preview and build", () => {
  it("accepts preview and build and fills the build namespace", () => {
    const text = "preview:\n  host: '{environment}.preview.example.com'\n  ingressClass: nginx\nbuild:\n  registry: registry.example.com/paddock\n  runtimeClass: gvisor\n  pushSecret: paddock-registry-push\n";
    const lookup = readOrgPolicy({ text, source: { location: "test" } });
    expect(lookup.kind).toBe("policy");
    if (lookup.kind !== "policy") return;
    expect(lookup.policy.preview).toEqual({ host: "{environment}.preview.example.com", ingressClass: "nginx" });
    expect(lookup.policy.build).toEqual({ registry: "registry.example.com/paddock", namespace: "paddock-builds", runtimeClass: "gvisor", pushSecret: "paddock-registry-push" });
  });

  it("accepts a registry with a port", () => {
    expect(readOrgPolicy({ text: "build: { registry: 'localhost:5000' }\n", source: { location: "test" } }).kind).toBe("policy");
  });

  it("rejects a preview host without {environment}", () => {
    expect(problemsOf("preview:\n  host: '{repo}.preview.example.com'\n")).toEqual([
      {
        file: FILE,
        line: 2,
        column: 9,
        field: "preview.host",
        message: 'invalid preview host "{repo}.preview.example.com": it lacks {environment}, so every environment would get the same host: add {environment}, as in {environment}.preview.example.com',
      },
    ]);
  });

  it("rejects an unknown placeholder", () => {
    expect(problemsOf("preview: { host: '{environment}.{branch}.example.com' }\n")).toEqual([
      {
        file: FILE,
        line: 1,
        column: 18,
        field: "preview.host",
        message: 'invalid preview host "{environment}.{branch}.example.com": unknown placeholder {branch}: use {environment}, {repo}, {number}',
      },
    ]);
  });

  it("rejects a host template that is not DNS-safe", () => {
    expect(problemsOf("preview: { host: '{environment}_preview.example.com' }\n")).toEqual([
      {
        file: FILE,
        line: 1,
        column: 18,
        field: "preview.host",
        message: `invalid preview host "{environment}_preview.example.com": it does not make a DNS name: label "a_preview" is not a DNS label: use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
      },
    ]);
    expect(problemsOf("preview: { host: '{environment}' }\n")).toEqual([
      { file: FILE, line: 1, column: 18, field: "preview.host", message: 'invalid preview host "{environment}": it does not make a DNS name: it needs a domain, such as {environment}.preview.example.com' },
    ]);
  });

  it("rejects bad build fields with their fixes", () => {
    expect(problemsOf("build:\n  registry: https://registry.example.com\n  namespace: Builds\n  runtimeClass: g_visor\n")).toEqual([
      {
        file: FILE,
        line: 2,
        column: 13,
        field: "build.registry",
        message: 'invalid build registry "https://registry.example.com": use a registry host with an optional path, such as registry.example.com/paddock',
      },
      { file: FILE, line: 3, column: 14, field: "build.namespace", message: `invalid build namespace "Builds": use a DNS label of at most 63 lowercase letters, digits and '-'` },
      { file: FILE, line: 4, column: 17, field: "build.runtimeClass", message: `invalid runtimeClass "g_visor": use a Kubernetes object name of lowercase letters, digits, '-' and '.'` },
    ]);
  });
});

describe("stack against org policy", () => {
  it("denies images without build.registry, located at images", () => {
    const decision = decide({ policy: { preview: { host: "{environment}.preview.example.com" } }, text: STACK });
    expect(decision.verdict).toBe("denied");
    expect(decision.violations).toEqual([
      {
        rule: "build.registry",
        message: "images need a registry to push to, but the org policy sets no build.registry: ask an org admin to set build.registry, or remove images",
        location: { file: ".github/paddock.yml", line: 5, column: 3, field: "images" },
      },
    ]);
    expect(decision.reasons[0]).toBe(
      `images need a registry to push to, but the org policy sets no build.registry: ask an org admin to set build.registry, or remove images ${ORIGIN}`,
    );
  });

  it("denies images when build sets no registry", () => {
    const decision = decide({ policy: { build: { namespace: "builds" }, preview: { host: "{environment}.example.com" } }, text: STACK });
    expect(decision.violations.map((violation) => violation.rule)).toEqual(["build.registry"]);
  });

  it("denies expose without preview.host, located at expose", () => {
    const decision = decide({ policy: { build: { registry: "registry.example.com/paddock" } }, text: STACK });
    expect(decision.violations).toEqual([
      {
        rule: "preview.host",
        message: "expose needs a preview host, but the org policy sets no preview.host: ask an org admin to set preview.host, or remove expose",
        location: { file: ".github/paddock.yml", line: 10, column: 9, field: "expose" },
      },
    ]);
  });

  it("allows a stack the policy serves", () => {
    const policy = { build: { registry: "registry.example.com/paddock" }, preview: { host: "{environment}.preview.example.com" } };
    expect(decide({ policy, text: STACK })).toMatchObject({ verdict: "allowed", violations: [] });
  });

  it("allows services without images or expose under the default policy", () => {
    const text = "steps:\n  - name: test\n    run: npm test\nservices:\n  - name: db\n    image: postgres:16\n    port: 5432\n";
    expect(decide({ text })).toMatchObject({ verdict: "allowed", violations: [] });
  });

  it("judges external service images against the registries", () => {
    const policy = { build: { registry: "registry.example.com/paddock" }, profiles: { human: { registries: ["ghcr.io"] } } };
    const text = "steps:\n  - name: test\n    run: npm test\nimages:\n  - name: web\nservices:\n  - name: web\n    image: web\n    port: 80\n  - name: db\n    image: postgres:16\n    port: 5432\n";
    expect(decide({ policy, text }).violations).toEqual([
      {
        rule: "profiles.human.registries",
        message: "services.1.image postgres:16 comes from docker.io, which is not in profiles.human.registries [ghcr.io]",
        location: { file: ".github/paddock.yml", line: 11, column: 12, field: "services.1.image" },
      },
    ]);
  });
});
