import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { renderAnnotations } from "../../src/checks/render-annotations.ts";
import { readRepoConfig } from "../../src/config/load-repo-config.ts";
import { MAX_CONFIG_BYTES } from "../../src/config/parse-config-file.ts";
import { readOrgPolicy } from "../../src/policy/load-org-policy.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { buildPullRequestPayload, toServedPullRequest } from "../loopback-github/webhook-payloads.ts";
import { LOOPBACK_WEBHOOK_SECRET } from "../loopback-github/paddock-server.ts";
import { sendWebhook } from "../loopback-github/webhook-sender.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { PROTOTYPE_KEYS } from "./corpus.ts";

const NUL_FIX = "remove it, because the operating system ends a command argument or environment value at the first NUL";
const SURROGATE_FIX = "write the whole character, because half of a UTF-16 surrogate pair has no UTF-8 encoding and the process would receive U+FFFD instead";

/** Nine levels of nine-fold aliases: 387,420,489 leaves if a parser expanded them all. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((name, index) => `${name}: &${name} [${Array(9).fill(`*${"abcdefghi"[index]}`).join(",")}]`),
  "steps: [{name: bomb, run: '*i'}]",
  "",
].join("\n");

const HOSTILE_CONFIGS: ReadonlyArray<[label: string, text: string, firstProblem: string]> = [
  ["billion laughs", BILLION_LAUGHS, "YAML aliases expand too far (Excessive alias count indicates a resource exhaustion attack): use fewer than 100 alias references"],
  // Deep enough to overflow the YAML parser's stack on any machine; the parser reports it as an error.
  ["10,000 nested flow lists", `steps: ${"[".repeat(10_000)}${"]".repeat(10_000)}`, "invalid YAML: Maximum call stack size exceeded"],
  ["10,000 nested mappings in env", `steps:\n  - name: a\n    run: x\n    env: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}`, "invalid YAML: Maximum call stack size exceeded"],
  ["100 nested flow lists", `steps: ${"[".repeat(100)}${"]".repeat(100)}`, "wrong type: expected object, got list"],
  ["100 nested mappings in env", `steps:\n  - name: a\n    run: x\n    env: ${"{a: ".repeat(100)}1${"}".repeat(100)}`, "wrong type: expected string, got mapping"],
  ["a self-referencing anchor", "a: &a [*a]\nsteps: []\n", "steps is empty: add at least one step with a name and a run command"],
  ["two megabytes", `steps:\n  - name: a\n    run: ${"x".repeat(2 * 1024 * 1024)}\n`, `file is 2097181 bytes, over the limit of ${MAX_CONFIG_BYTES} bytes: shorten it`],
  ["a merge key", "<<: {steps: [{name: a, run: b}]}\n", "required field is missing: add it as a array"],
  ["a duplicate key", "steps:\n  - name: a\n    run: x\n    run: y\n", 'duplicate key "run": each key may appear once in a mapping, so remove or rename one'],
  ["two documents", "steps: []\n---\nsteps: []\n", "file holds more than one YAML document: keep a single document without '---' separators"],
  ["10,000 steps", `steps:\n${Array.from({ length: 10_000 }, (_, index) => `  - {name: s${index}, run: x}`).join("\n")}\n`, "more than 20 steps: merge some of them"],
  ["a step name with a command", 'steps:\n  - name: "$(rm -rf /)"\n    run: x\n', "invalid step name \"$(rm -rf /)\": use lowercase letters, digits and '-', starting and ending with a letter or digit"],
  ["an environment name with a space", 'steps:\n  - name: a\n    run: x\n    env: {"A B": "1"}\n', "invalid environment variable name \"A B\": use letters, digits and '_', not starting with a digit"],
  ["a timeout of eleven million years", "steps:\n  - name: a\n    run: x\n    timeout: 99999999999h\n", 'step timeout "99999999999h" is longer than the maximum of 24h: split the step or shorten it'],
  ["a TTL of 274 million years", "environment:\n  ttl: 99999999999d\nsteps:\n  - name: a\n    run: x\n", 'ttl "99999999999d" is longer than the maximum of 365d: set a shorter lifetime such as 24h or 7d'],
  ["10^20 CPU cores", 'environment:\n  resources: { cpu: "99999999999999999999" }\nsteps:\n  - name: a\n    run: x\n', 'CPU quantity "99999999999999999999" is more than the maximum of 1024 cores: request fewer cores, such as 4'],
  ["10^20 GiB of memory", "environment:\n  resources: { memory: 99999999999999999999Gi }\nsteps:\n  - name: a\n    run: x\n", 'memory quantity "99999999999999999999Gi" is more than the maximum of 64Ti: request less memory, such as 8Gi'],
  ["a JUnit path out of the checkout", 'steps:\n  - name: a\n    run: x\n    junit: ../../../../etc/passwd\n', "invalid JUnit report path \"../../../../etc/passwd\": use a path relative to the checkout, without '..' and not starting with '/'"],
  ["an absolute JUnit path", 'steps:\n  - name: a\n    run: x\n    junit: /etc/passwd\n', "invalid JUnit report path \"/etc/passwd\": use a path relative to the checkout, without '..' and not starting with '/'"],
  ["a binary tag", "steps:\n  - name: a\n    run: !!binary aGVsbG8=\n", "wrong type: expected string, got mapping"],
  ["a set tag", "steps: !!set {a, b}\n", "wrong type: expected array, got mapping"],
  ["a NUL byte in a command", 'steps:\n  - name: a\n    run: "echo a\\0b"\n', `step command contains a NUL character at character 7: ${NUL_FIX}`],
  ["a NUL byte in an environment value", 'steps:\n  - name: a\n    run: x\n    env: {A: "a\\0b"}\n', `environment variable A contains a NUL character at character 2: ${NUL_FIX}`],
  ["an unpaired surrogate in a command", 'steps:\n  - name: a\n    run: "echo \\ud83d"\n', `step command contains an unpaired surrogate U+D83D at character 6: ${SURROGATE_FIX}`],
  ["an unpaired surrogate in an environment value", 'steps:\n  - name: a\n    run: x\n    env: {A: "\\udc00"}\n', `environment variable A contains an unpaired surrogate U+DC00 at character 1: ${SURROGATE_FIX}`],
  ["a newline in a JUnit path", 'steps:\n  - name: a\n    run: x\n    junit: "a\\n::error::b.xml"\n', "JUnit report path contains the control character U+000A at character 2: use printable characters only"],
  ["an escape code in an image", 'steps:\n  - name: a\n    run: x\n    image: "node\\e[2J:24"\n', "step image contains the control character U+001B at character 5: use printable characters only"],
  ["a NUL byte in a JUnit path", 'steps:\n  - name: a\n    run: x\n    junit: "a\\0.xml"\n', `JUnit report path contains a NUL character at character 2: ${NUL_FIX}`],
  ["a control character in an environment name", 'steps:\n  - name: a\n    run: x\n    env: {"A\\u0001": "1"}\n', "invalid environment variable name \"A\\u0001\": use letters, digits and '_', not starting with a digit"],
  ["a bare scalar", "hello", "wrong type: expected object, got string"],
  ["nothing", "", "file is empty: add the settings it should hold"],
];

describe("hostile repository configs", () => {
  it.each(HOSTILE_CONFIGS)("rejects %s", (_label, text, firstProblem) => {
    const lookup = readRepoConfig({ text });

    expect(lookup.kind).toBe("invalid");
    expect(lookup.kind === "invalid" ? lookup.problems[0]?.message : undefined).toBe(firstProblem);
  });

  it.each(PROTOTYPE_KEYS)("rejects the key %s at any depth", (key) => {
    const lookup = readRepoConfig({ text: `steps:\n  - name: a\n    run: x\n    env:\n      ${key}: {polluted: "yes"}\n` });

    expect(lookup.kind === "invalid" ? lookup.problems : undefined).toEqual([
      { file: ".github/paddock.yml", line: 5, column: 7, field: "", message: `key "${key}" is not allowed, because it names JavaScript prototype machinery: remove it` },
    ]);
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it.each(PROTOTYPE_KEYS)("rejects the key %s in the org policy", (key) => {
    const lookup = readOrgPolicy({ text: `profiles:\n  ${key}: {polluted: "yes"}\n`, source: {} });

    expect(lookup.kind === "invalid" ? lookup.problems[0]?.message : undefined).toBe(`key "${key}" is not allowed, because it names JavaScript prototype machinery: remove it`);
  });

  it("strips escape codes from a hostile key in annotations", () => {
    const lookup = readRepoConfig({ text: 'steps:\n  - name: a\n    run: x\n    "\\e[31m::set-output x::y": 1\n' });
    const problems = lookup.kind === "invalid" ? lookup.problems : [];

    const [annotation] = renderAnnotations({ environmentName: "e", headSha: "0".repeat(40), provider: "local", status: "completed", steps: [], configProblems: problems, notes: [] }).annotations;

    expect(annotation?.title).toBe("Invalid Paddock config: steps.0.::set-output x::y");
    expect(annotation?.message).toBe('steps.0.::set-output x::y: unknown field "::set-output x::y": known fields: name, image, run, timeout, junit, deploy, env');
  });

  it("keeps an unknown tag as plain text, never as code", () => {
    const lookup = readRepoConfig({ text: "steps:\n  - name: a\n    run: !!js/function 'function () { return 1 }'\n" });

    expect(lookup.kind === "valid" ? lookup.config.steps[0]?.run : undefined).toBe("function () { return 1 }");
  });
});

describe("hostile configs through the app", () => {
  let github: LoopbackGitHub;
  let app: PaddockUnderTest;

  /** Serves `repo` with this config, delivers one pull request for it and returns its check run. */
  async function runConfig(repo: string, config: string) {
    const sample = createSampleRepository({ files: { ".github/paddock.yml": config } });
    github.serveRepository({ owner: "acme", repo, id: repo.length * 1000, installationId: 77, files: { ".github/paddock.yml": config }, sourceDirectory: sample.directory });
    const payload = buildPullRequestPayload({ action: "opened", owner: "acme", repo, repositoryId: repo.length * 1000, installationId: 77, number: 1, headSha: sample.sha });
    github.setPullRequest({ owner: "acme", repo, pullRequest: toServedPullRequest(payload) });
    const reply = await sendWebhook({ url: app.webhookUrl, delivery: { name: "pull_request", id: `config-${repo}`, payload, secret: LOOPBACK_WEBHOOK_SECRET } });
    await app.service.onIdle();
    return { status: reply.status, run: github.checkRuns().find((run) => run.repo === repo) };
  }

  beforeAll(async () => {
    github = await startLoopbackGitHub();
    const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { ...(options.throttle as object), enabled: false } }));
    app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit });
  });

  afterAll(async () => {
    await app.stop();
    await github.close();
    github.assertNoViolations();
  });

  it("annotates a YAML bomb and runs nothing", async () => {
    const { status, run } = await runConfig("bomb", BILLION_LAUGHS);

    expect(status).toBe(200);
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations.map((annotation) => [annotation.start_line, annotation.message])).toEqual([[1, HOSTILE_CONFIGS[0]![2]]]);
    expect(github.downloads()).toBe(0);
  });

  it("annotates a huge ttl and runs nothing", async () => {
    const { status, run } = await runConfig("huge-ttl", "environment:\n  ttl: 99999999999d\nsteps:\n  - name: a\n    run: x\n");

    expect(status).toBe(200);
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations.map((annotation) => [annotation.start_line, annotation.message])).toEqual([
      [2, 'environment.ttl: ttl "99999999999d" is longer than the maximum of 365d: set a shorter lifetime such as 24h or 7d'],
    ]);
    expect(github.downloads()).toBe(0);
  });

  it("annotates a NUL byte in a command and runs nothing", async () => {
    const { run } = await runConfig("nul-run", 'steps:\n  - name: a\n    run: "echo a\\0b"\n');

    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations.map((annotation) => [annotation.path, annotation.start_line, annotation.message])).toEqual([
      [".github/paddock.yml", 3, `steps.0.run: step command contains a NUL character at character 7: ${NUL_FIX}`],
    ]);
    expect(github.downloads()).toBe(0);
  });

  it("annotates a NUL byte in an environment value", async () => {
    const { run } = await runConfig("nul-env", 'steps:\n  - name: a\n    run: "true"\n    env: {A: "a\\0b"}\n');

    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations.map((annotation) => [annotation.path, annotation.start_line, annotation.message])).toEqual([
      [".github/paddock.yml", 4, `steps.0.env.A: environment variable A contains a NUL character at character 2: ${NUL_FIX}`],
    ]);
    expect(github.downloads()).toBe(0);
  });
});
