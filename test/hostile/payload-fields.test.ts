import { describe, expect, it } from "vitest";
import { runCli, writeTempFiles } from "../cli/cli-harness.ts";
import { loadWebhookExample } from "../support/webhook-examples.ts";

const CONFIG = "steps:\n  - name: test\n    run: npm test\n";
const example = loadWebhookExample({ name: "pull_request", action: "opened" });
const INVALID = "paddock: pull_request.opened payload is missing or has invalid fields:";
const HINT = ". pass a webhook payload as GitHub sends it\n";

/** Returns the example payload with `head.ref` replaced. */
function withHeadRef(ref: string): unknown {
  return { ...example, pull_request: { ...example.pull_request, head: { ...example.pull_request.head, ref } } };
}

async function plan(payload: unknown) {
  const cwd = writeTempFiles({ "event.json": JSON.stringify(payload), "paddock.yml": CONFIG });
  return runCli(["plan", "--event", "pull_request", "--payload", "event.json", "--config", "paddock.yml"], { cwd });
}

const pushExample = loadWebhookExample({ name: "push" });

const REJECTED: ReadonlyArray<[label: string, payload: unknown, fields: string]> = [
  ["a newline in head.ref", withHeadRef("fix\ntouch pwned"), " pull_request.head.ref (not a git branch name, because it contains the control character U+000A)"],
  ["a NUL in head.ref", withHeadRef("fix\u0000x"), " pull_request.head.ref (not a git branch name, because it contains the control character U+0000)"],
  ["a space in head.ref", withHeadRef("a && touch pwned"), " pull_request.head.ref (not a git branch name, because it contains a space)"],
  ["'..' in head.ref", withHeadRef("refs/heads/../../outside"), " pull_request.head.ref (not a git branch name, because it contains '..')"],
  ["'-rf' in head.ref", withHeadRef("-rf"), " pull_request.head.ref (not a git branch name, because it starts with '-')"],
  ["'a..b' in head.ref", withHeadRef("a..b"), " pull_request.head.ref (not a git branch name, because it contains '..')"],
  ["300 characters in head.ref", withHeadRef("x".repeat(300)), " pull_request.head.ref (not a git branch name, because it is 300 bytes long, over 255)"],
  ["an empty base.ref", { ...example, pull_request: { ...example.pull_request, base: { ...example.pull_request.base, ref: "" } } }, " pull_request.base.ref (not a git branch name, because it is empty)"],
  ["repository.id -1", { ...example, repository: { ...example.repository, id: -1 } }, " repository.id"],
  ["repository.id 1.5", { ...example, repository: { ...example.repository, id: 1.5 } }, " repository.id"],
  ["sender.id 0", { ...example, sender: { ...example.sender, id: 0 } }, " sender.id"],
];

describe("hostile payload fields", () => {
  it("rejects a push ref with a newline", async () => {
    const cwd = writeTempFiles({ "push.json": JSON.stringify({ ...pushExample, ref: "refs/heads/fix\nx" }), "paddock.yml": CONFIG });
    const result = await runCli(["plan", "--event", "push", "--payload", "push.json", "--config", "paddock.yml"], { cwd });

    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "paddock: push payload is missing or has invalid fields: ref. pass a webhook payload as GitHub sends it\n",
    });
  });

  it.each(REJECTED)("rejects %s", async (_label, payload, fields) => {
    const result = await plan(payload);

    expect(result).toEqual({ code: 2, stdout: "", stderr: `${INVALID}${fields}${HINT}` });
  });

  // Git accepts these names, so a payload can carry them, and Paddock must keep them safe rather than reject them.
  it.each(["$(id)", "`id`", "$IFS$9touch$IFS/tmp/pwned"])("keeps the git branch %j verbatim", async (ref) => {
    const result = await plan(withHeadRef(ref));

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).environment.annotations["paddock.dev/branch"]).toBe(ref);
  });
});
