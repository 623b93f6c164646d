import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderAuditAnnotations } from "../../src/audit/audit-annotations.ts";
import { createAuditRecorder } from "../../src/audit/audit-recorder.ts";
import { buildPendingAuditRecord, type AuditRecordInput } from "../../src/audit/build-audit-record.ts";
import { openFileAuditSpool, SPOOL_JOURNAL_NAME } from "../../src/audit/file-audit-spool.ts";
import { createGitAuditLedger } from "../../src/audit/git-audit-ledger.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createAuditOctokit } from "./support/audit-octokit.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";
import { createFakeGitRepository, type FakeGitRepository } from "./support/fake-git-repository.ts";

/** Secret shapes; each puts `marker` inside the secret part, which must never survive. */
const SECRET_KINDS: Record<string, (marker: string) => string> = {
  personalToken: (marker) => `ghp_${marker}abcdefghijklmnopqrstuvwxyz`,
  installationToken: (marker) => `ghs_${marker}abcdefghijklmnopqrstuvwxyz`,
  fineGrainedToken: (marker) => `github_pat_${marker}_abcdefghijklmnopqrstuvwxyz`,
  bearer: (marker) => `Bearer ${marker}abcdef`,
  authorizationHeader: (marker) => `Authorization: token ${marker}abcdef`,
  jwt: (marker) => `eyJ${marker}.eyJpc3MiOjEyM30.c2lnbmF0dXJl`,
  pemBlock: (marker) => `-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn${marker}\nAAAA\n-----END OPENSSH PRIVATE KEY-----`,
  kubeconfig: (marker) => `apiVersion: v1\nkind: Config\nclusters:\n- name: dev\nusers:\n- name: dev\n  user:\n    exec:\n      args: [${marker}]\n`,
  kubeconfigField: (marker) => `client-key-data: ${marker}LS0tLS1CRUdJTg==`,
  urlCredentials: (marker) => `https://deploy:${marker}@git.example.com/acme/web.git`,
};

/** Every free-text field of a record input, as a path and a setter. */
const TEXT_FIELDS: Array<[string, (input: AuditRecordInput, value: string) => void]> = [
  ["actor.login", (input, value) => (input.actor.login = value)],
  ["actor.type", (input, value) => (input.actor.type = value)],
  ["agent.app", (input, value) => (input.agent!.app = value)],
  ["agent.signals", (input, value) => (input.agent!.signals = [value])],
  ["authorizer.login", (input, value) => (input.authorizer!.login = value)],
  ["authorizer.via", (input, value) => (input.authorizer!.via = value)],
  ["repository.fullName", (input, value) => (input.repository.fullName = value)],
  ["branch", (input, value) => (input.branch = value)],
  ["deliveryId", (input, value) => (input.deliveryId = value)],
  ["environment.name", (input, value) => (input.environment!.name = value)],
  ["environment.cluster", (input, value) => (input.environment!.cluster = value)],
  ["environment.namespace", (input, value) => (input.environment!.namespace = value)],
  ["policy.location", (input, value) => (input.policy!.location = value)],
  ["decision.reasons", (input, value) => (input.decision!.reasons = [value])],
  ["step.name", (input, value) => (input.step!.name = value)],
  ["step.status", (input, value) => (input.step!.status = value)],
];

/** Returns one input per secret kind, with a canary of that kind in every text field, and all markers. */
function plantCanaries(): { inputs: AuditRecordInput[]; markers: string[] } {
  const markers: string[] = [];
  const inputs = Object.entries(SECRET_KINDS).map(([kind, secret], kindIndex) => {
    const input = structuredClone(makeRecordInput());
    TEXT_FIELDS.forEach(([, set], fieldIndex) => {
      const marker = `CANARY${kindIndex}X${fieldIndex}Q`;
      markers.push(marker);
      set(input, `before ${secret(marker)} after (${kind})`);
    });
    return input;
  });
  return { inputs, markers };
}

describe("secret canaries", () => {
  let directory: string;
  let fake: FakeGitHub;
  let repository: FakeGitRepository;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "paddock-canary-"));
    fake = createFakeGitHub();
    repository = createFakeGitRepository({ fake, owner: "acme", repo: "paddock-audit" });
  });
  afterEach(() => {
    fake.close();
    fake.assertNoViolations();
    rmSync(directory, { recursive: true, force: true });
  });

  it("appear in no record, spool, ledger file or annotation", async () => {
    const { inputs, markers } = plantCanaries();
    const spool = await openFileAuditSpool({ directory });
    const ledger = createGitAuditLedger({ request: createAuditOctokit().request, owner: "acme", now: () => FIXTURE_TIME });
    const recorder = createAuditRecorder({ spool, ledger });

    const pending = [];
    for (const input of inputs) pending.push(await recorder.record(input));
    const spoolText = readFileSync(join(directory, SPOOL_JOURNAL_NAME), "utf8");
    const { appended } = await recorder.flush();
    const annotations = renderAuditAnnotations({ records: [...pending, ...appended], path: ".github/paddock.yml", line: 1 });

    const outputs: Record<string, string> = {
      records: JSON.stringify(pending),
      spool: spoolText,
      ledger: [...repository.files().values()].join("\n"),
      annotations: JSON.stringify(annotations),
      requests: JSON.stringify(fake.calls.map((call) => call.body)),
    };
    expect(appended.length).toBe(inputs.length);
    for (const [where, text] of Object.entries(outputs)) {
      expect(markers.filter((marker) => text.includes(marker)), where).toEqual([]);
    }
  });

  it("appear in no error for a field that rejects them", () => {
    const marker = "CANARYHEADSHA";
    const input = makeRecordInput({ headSha: `ghp_${marker}abcdefghijklmnopqrstuvwxyz` });

    const error = (() => {
      try {
        buildPendingAuditRecord({ input, now: FIXTURE_TIME });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();

    expect(error?.message).toContain("headSha");
    expect(error?.message.includes(marker)).toBe(false);
  });
});
