import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashEnvironmentKey } from "../../src/environments/environment-name.ts";
import { loadWebhookExample } from "../support/webhook-examples.ts";
import { runCli, writeTempFiles } from "./cli-harness.ts";

const CONFIG = 'environment:\n  resources: { cpu: "2", memory: 4Gi }\n  ttl: 12h\nsteps:\n  - name: test\n    image: node:24\n    run: npm test\n    junit: reports/junit.xml\n';
const payload = loadWebhookExample({ name: "pull_request", action: "opened" });
const NOW = "2026-12-01T10:00:00.000Z";

const pushPayload = loadWebhookExample({ name: "push" });

function planFiles(extra: Record<string, string> = {}): string {
  return writeTempFiles({ "event.json": JSON.stringify(payload), "push.json": JSON.stringify(pushPayload), "paddock.yml": CONFIG, ...extra });
}

describe("paddock plan", () => {
  it("prints the environment, decision and steps", async () => {
    const cwd = planFiles();
    const result = await runCli(["plan", "--event", "pull_request", "--payload", "event.json", "--config", "paddock.yml", "--now", NOW], { cwd });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    const key = { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number };
    const hash = hashEnvironmentKey(key);
    expect(plan.environment).toEqual({
      name: `hello-world-pr-${payload.pull_request.number}-${hash}`,
      labels: {
        "app.kubernetes.io/managed-by": "paddock",
        "paddock.dev/environment": `hello-world-pr-${payload.pull_request.number}-${hash}`,
        "paddock.dev/key": hash,
        "paddock.dev/repository-id": String(payload.repository.id),
        "paddock.dev/pull-request": String(payload.pull_request.number),
      },
      annotations: {
        "paddock.dev/repository": payload.repository.full_name,
        "paddock.dev/branch": payload.pull_request.head.ref,
        "paddock.dev/head-sha": payload.pull_request.head.sha,
        "paddock.dev/expires-at": "2026-12-01T22:00:00.000Z",
        "paddock.dev/pull-request": String(payload.pull_request.number),
        "paddock.dev/actor": "Codertocat",
        "paddock.dev/actor-class": "human",
        "paddock.dev/cpu": "2",
        "paddock.dev/memory": "4Gi",
        "paddock.dev/egress": "",
        "paddock.dev/ttl": "12h",
        "paddock.dev/set-by-repository": "cpu,memory,ttl",
        "paddock.dev/policy": "default org policy (no policy file)",
      },
      resources: { cpu: "2", memory: "4Gi" },
      egress: [],
      ttlSeconds: 43_200,
      expiresAt: "2026-12-01T22:00:00.000Z",
    });
    expect(plan.decision).toMatchObject({
      allowed: true,
      verdict: "allowed",
      reasons: [
        "allowed under the human profile: cpu 2, memory 4Gi, ttl 12h, no network, no secrets, budget projection (whole TTL) 0.9620 USD (default org policy (no policy file))",
        "actor Codertocat is judged as human (no agent identity or agent branch pattern matched)",
        "concurrency caps were not checked, because no list of live environments was available",
      ],
      violations: [],
      cost: { currency: "USD", nanos: "962040000", display: "0.9620 USD" },
      source: { kind: "defaults" },
    });
    expect(plan.steps).toEqual([{ name: "test", image: "node:24", run: "npm test", timeoutSeconds: 600, env: {}, junitPath: "reports/junit.xml" }]);
  });

  it("exits 0 with a denial when org policy is exceeded", async () => {
    const cwd = planFiles({ "policy.yml": "profiles:\n  human:\n    resources: { cpu: 500m }\n    ttl: { max: 6h }\n" });
    const result = await runCli(["plan", "--event", "pull_request", "--payload", "event.json", "--config", "paddock.yml", "--org-policy", "policy.yml"], { cwd });

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).decision).toMatchObject({
      allowed: false,
      verdict: "denied",
      reasons: [
        "environment.resources.cpu 2 exceeds profiles.human.resources.cpu 500m (org policy policy.yml)",
        "environment.ttl 12h exceeds profiles.human.ttl.max 6h (org policy policy.yml)",
        "actor Codertocat is judged as human (no agent identity or agent branch pattern matched)",
        "concurrency caps were not checked, because no list of live environments was available",
      ],
      violations: [
        {
          rule: "profiles.human.resources.cpu",
          message: "environment.resources.cpu 2 exceeds profiles.human.resources.cpu 500m",
          location: { file: "paddock.yml", line: 2, column: 21, field: "environment.resources.cpu" },
        },
        {
          rule: "profiles.human.ttl.max",
          message: "environment.ttl 12h exceeds profiles.human.ttl.max 6h",
          location: { file: "paddock.yml", line: 3, column: 8, field: "environment.ttl" },
        },
      ],
      source: { kind: "file", location: "policy.yml" },
    });
  });

  it.each([
    [["plan", "--event", "pull_request"], "paddock: plan needs --event and --payload. usage: paddock plan --event NAME --payload FILE [--config FILE] [--org-policy FILE] [--now ISO-TIME]\n"],
    [["plan", "--event", "pull_request", "--payload", "missing.json", "--config", "paddock.yml"], "paddock: --payload missing.json: file not found. pass the path of an existing file\n"],
    [["plan", "--event", "pull_request", "--payload", "paddock.yml", "--config", "paddock.yml"], expect.stringMatching(/^paddock: --payload paddock.yml is not valid JSON \(.+\)\. pass a webhook payload as GitHub sends it\n$/)],
    [["plan", "--event", "issues", "--payload", "event.json", "--config", "paddock.yml"], "paddock: event issues.opened is not handled by Paddock. pass --event pull_request with a payload whose action is opened, reopened, synchronize or closed\n"],
    [
      ["plan", "--event", "pull_request", "--payload", "event.json", "--config", "bad.yml"],
      [
        "paddock: invalid config bad.yml:",
        "bad.yml:2:5: steps.0.run: required field is missing: add it as a string",
        'bad.yml:3:5: steps.0.rn: unknown field "rn": did you mean "run"?',
        "Fix the fields listed above (the JSON Schema in schema/ helps editors); the format is the one of .github/paddock.yml.",
        "",
      ].join("\n"),
    ],
    [["plan", "--event", "pull_request", "--payload", "event.json", "--config", "paddock.yml", "--now", "yesterday"], "paddock: --now yesterday is not a valid time. pass an ISO 8601 time with a time zone such as 2026-01-31T12:00:00Z, or a date such as 2026-01-31, which means 00:00 UTC\n"],
    [["plan", "--event", "pull_request", "--payload", "event.json", "--config", "paddock.yml", "--now", "Dec 25"], "paddock: --now Dec 25 is not a valid time. pass an ISO 8601 time with a time zone such as 2026-01-31T12:00:00Z, or a date such as 2026-01-31, which means 00:00 UTC\n"],
    [["plan", "--event", "pull_request", "--payload", "event.json", "--config", "paddock.yml", "--now", "2026-12-05 09:10"], "paddock: --now 2026-12-05 09:10 is not a valid time. pass an ISO 8601 time with a time zone such as 2026-01-31T12:00:00Z, or a date such as 2026-01-31, which means 00:00 UTC\n"],
    [
      ["plan", "--event", "push", "--payload", "push.json", "--config", "paddock.yml"],
      "paddock: --event push: the GitHub App and the Action build pushes to agent branches, and the command line takes pull request events only. to see the plan for the branch's commit under the same org policy, pass --event pull_request with a payload whose pull_request.head.ref is the branch (docs/agent-branches.md)\n",
    ],
    [
      ["plan", "--event", "pull_request", "--payload", "array.json", "--config", "paddock.yml"],
      "paddock: --payload array.json is a JSON array, not one webhook payload. pass one event object as GitHub sends it, such as a single pull_request example taken out of a list of examples\n",
    ],
    [["plan", "--event", "pull_request", "--payload", "number.json", "--config", "paddock.yml"], "paddock: --payload number.json is a JSON number, not a webhook payload. pass one event object as GitHub sends it\n"],
    [
      ["plan", "--event", "push", "--payload", "event.json", "--config", "paddock.yml"],
      "paddock: --event push: --payload event.json is a pull request event, not a push event, and the command line takes pull request events only. pass --event pull_request with this payload\n",
    ],
    [
      ["plan", "--event", "pull_request", "--payload", "nul-action.json", "--config", "paddock.yml"],
      "paddock: event pull_request.open\\u0000ed\\u001b[2J is not handled by Paddock. pass --event pull_request with a payload whose action is opened, reopened, synchronize or closed\n",
    ],
    [["plan", "--event", "pull_request", "--payload", "folder", "--config", "paddock.yml"], "paddock: --payload folder is a directory. pass the path of a file\n"],
    [
      ["plan", "--event", "pull_request", "--payload", "event.json", "--config", "empty.yml"],
      "paddock: invalid config empty.yml:\nempty.yml:1:1: file is empty: add the settings it should hold\nFix the file (the JSON Schema in schema/ helps editors); the format is the one of .github/paddock.yml.\n",
    ],
    [
      ["plan", "--event", "pull_request", "--payload", "event.json", "--config", "paddock.yml", "--org-policy", "empty.yml"],
      "paddock: invalid org policy empty.yml:\nempty.yml:1:1: file is empty: add the settings it should hold\nFix the file.\n",
    ],
    [["plan", "--bogus"], expect.stringMatching(/^paddock: Unknown option '--bogus'/)],
  ])("exits 2 on bad input %j", async (args, message) => {
    const cwd = planFiles({
      "bad.yml": "steps:\n  - name: a\n    rn: x\n",
      "array.json": JSON.stringify([payload]),
      "number.json": "5",
      "nul-action.json": JSON.stringify({ ...payload, action: "open\u0000ed\u001b[2J" }),
      "empty.yml": "",
    });
    mkdirSync(join(cwd, "folder"));
    const result = await runCli(args, { cwd });
    expect(result.stdout).toBe("");
    expect(result.stderr).toEqual(message);
    expect(result.code).toBe(2);
  });

  it.each([
    ["environment:\n  ttl: 99999999999d\nsteps:\n  - name: a\n    run: x\n", 'huge.yml:2:8: environment.ttl: ttl "99999999999d" is longer than the maximum of 365d: set a shorter lifetime such as 24h or 7d'],
    [
      "environment:\n  resources:\n    memory: 99999999999999999999Gi\nsteps:\n  - name: a\n    run: x\n",
      'huge.yml:3:13: environment.resources.memory: memory quantity "99999999999999999999Gi" is more than the maximum of 64Ti: request less memory, such as 8Gi',
    ],
    [
      'environment:\n  resources:\n    cpu: "99999999999999999999"\nsteps:\n  - name: a\n    run: x\n',
      'huge.yml:3:10: environment.resources.cpu: CPU quantity "99999999999999999999" is more than the maximum of 1024 cores: request fewer cores, such as 4',
    ],
  ])("exits 2 on an oversized environment value %#", async (config, problem) => {
    const cwd = planFiles({ "huge.yml": config });
    const result = await runCli(["plan", "--event", "pull_request", "--payload", "event.json", "--config", "huge.yml"], { cwd });

    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      ["paddock: invalid config huge.yml:", problem, "Fix the fields listed above (the JSON Schema in schema/ helps editors); the format is the one of .github/paddock.yml.", ""].join("\n"),
    );
    expect(result.code).toBe(2);
  });

  it.each([
    [["plan", "--help"], "Usage:\n  paddock plan --event NAME --payload FILE [--config FILE] [--org-policy FILE] [--now ISO-TIME]\n"],
    [["plan", "-h"], "Usage:\n  paddock plan --event NAME --payload FILE [--config FILE] [--org-policy FILE] [--now ISO-TIME]\n"],
    [["run", "--help"], "Usage:\n  paddock run --event NAME --payload FILE --repo DIR [--ref REV] [--config FILE] [--org-policy FILE] [--state-dir DIR] [--json] [--unsandboxed]\n"],
    [["policy", "--help"], "Usage:\n  paddock policy check FILE\n"],
    [["audit", "--help"], "Usage:\n  paddock audit verify PATH [--public-key FILE] [--json]\n  paddock audit query PATH [--actor LOGIN] [--agent APP] [--repository OWNER/NAME] [--action ACTION] [--since ISO-TIME] [--until ISO-TIME] [--unverified] [--json]\n"],
    [["audit", "verify", "--help"], "Usage:\n  paddock audit verify PATH [--public-key FILE] [--json]\n"],
    [["audit", "query", "--help"], "Usage:\n  paddock audit query PATH [--actor LOGIN] [--agent APP] [--repository OWNER/NAME] [--action ACTION] [--since ISO-TIME] [--until ISO-TIME] [--unverified] [--json]\n"],
  ])("prints command usage for %j", async (args, usage) => {
    const result = await runCli(args);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(usage);
    expect(result.code).toBe(0);
  });

  it("prints usage to stderr without a command", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe("Usage:");
  });

  it("exits 2 on an unknown command", async () => {
    const result = await runCli(["deploy"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('paddock: unknown command "deploy"');
  });
});
