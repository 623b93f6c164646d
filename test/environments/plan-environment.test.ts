import { describe, expect, it } from "vitest";
import { readRepoConfig } from "../../src/config/load-repo-config.ts";
import { formatEnvironmentKey } from "../../src/environments/environment-key.ts";
import { planEnvironment, type PlanEvent } from "../../src/environments/plan-environment.ts";
import { defaultOrgPolicy } from "../../src/policy/org-policy-schema.ts";
import { SAMPLE_CONFIG } from "../support/sample-repository.ts";

const SHA = "a".repeat(40);

function loadConfig() {
  const lookup = readRepoConfig({ text: SAMPLE_CONFIG });
  if (lookup.kind !== "valid") throw new Error("the sample config is invalid");
  return { value: lookup.config, file: lookup.file, locate: lookup.locate };
}

function branchEvent(options: { branch: string; login: string; type: string }): PlanEvent {
  return {
    repository: { id: 42, owner: "acme", name: "web", fullName: "acme/web", defaultBranch: "main" },
    sender: { login: options.login, id: 7, type: options.type },
    pullRequest: { number: null, headSha: SHA, headRef: options.branch },
  };
}

describe("planEnvironment", () => {
  it("keys a branch event by its branch", () => {
    const plan = planEnvironment({
      event: branchEvent({ branch: "copilot/fix-login", login: "octocat", type: "User" }),
      config: loadConfig(),
      policy: defaultOrgPolicy(),
      policySource: { kind: "defaults" },
      now: new Date("2026-01-01T00:00:00Z"),
    });

    expect(formatEnvironmentKey(plan.key)).toBe("repository/42/branch/copilot/fix-login");
    expect(plan.environment.name).toMatch(/^web-copilot-fix-login-[0-9a-f]{10}$/);
    expect(plan.environment.labels["paddock.dev/pull-request"]).toBeUndefined();
    expect(plan.environment.annotations["paddock.dev/branch"]).toBe("copilot/fix-login");
  });

  it("classifies an agent bot on a branch event", () => {
    const plan = planEnvironment({
      event: branchEvent({ branch: "feature", login: "Copilot", type: "Bot" }),
      config: loadConfig(),
      policy: defaultOrgPolicy(),
      policySource: { kind: "defaults" },
      now: new Date("2026-01-01T00:00:00Z"),
    });

    expect(plan.environment.annotations["paddock.dev/actor-class"]).toBe("agent");
    expect(plan.environment.annotations["paddock.dev/actor"]).toBe("Copilot");
  });

  it("carries images, services and expose from the head commit", () => {
    const text = [
      "steps:",
      "  - name: deploy",
      "    run: helm upgrade --install web chart",
      "    deploy: true",
      "images:",
      "  - name: web",
      "services:",
      "  - name: web",
      "    image: web",
      "    run: node server.js",
      "    port: 8080",
      "    ready: { http: /healthz }",
      "  - name: db",
      "    image: postgres:16",
      "    port: 5432",
      "    env: { POSTGRES_PASSWORD: example }",
      "    timeout: 90s",
      "expose: { service: web, port: 8080 }",
      "",
    ].join("\n");
    const lookup = readRepoConfig({ text });
    if (lookup.kind !== "valid") throw new Error("the stack config is invalid");
    const plan = planEnvironment({
      event: branchEvent({ branch: "feature", login: "octocat", type: "User" }),
      config: { value: lookup.config, file: lookup.file, locate: lookup.locate },
      policy: defaultOrgPolicy(),
      policySource: { kind: "defaults" },
      now: new Date("2026-01-01T00:00:00Z"),
    });

    expect(plan.steps[0]!.deploy).toBe(true);
    expect(plan.images).toEqual([{ name: "web", context: ".", dockerfile: "Dockerfile" }]);
    expect(plan.services).toEqual([
      { name: "web", image: "web", builtImage: "web", run: "node server.js", port: 8080, ready: { http: "/healthz" }, env: {}, timeoutSeconds: 300 },
      { name: "db", image: "postgres:16", port: 5432, ready: { tcp: 5432 }, env: { POSTGRES_PASSWORD: "example" }, timeoutSeconds: 90 },
    ]);
    expect(plan.expose).toEqual({ service: "web", port: 8080 });
  });
});
