/**
 * Builds the example audit ledger in docs/examples/audit-ledger, so `paddock audit verify` and
 * `paddock audit query` can be tried from a clone. Run with
 * `node --import tsx scripts/build-example-audit-ledger.ts`: it signs the checkpoints with a
 * new Ed25519 key, writes its public half to docs/examples/audit-ledger.pub.pem and keeps no
 * private key. The records and head.json come out the same on every run, and only the
 * checkpoints and the public key change.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildPendingAuditRecord, type AuditRecordInput } from "../src/audit/build-audit-record.ts";
import { chooseRecordFilePath, planLedgerAppend } from "../src/audit/plan-ledger-append.ts";
import type { LedgerHead } from "../src/audit/ledger-layout.ts";

/** Folder of the example ledger, relative to the repository root. */
export const EXAMPLE_LEDGER_DIRECTORY = "docs/examples/audit-ledger";
/** Public key that checks the example's checkpoints, kept outside the ledger as in production. */
export const EXAMPLE_PUBLIC_KEY_PATH = "docs/examples/audit-ledger.pub.pem";
/** Records between checkpoints, small so that the example's 10 records have 2 of them. */
export const EXAMPLE_CHECKPOINT_INTERVAL = 4;

const COPILOT = {
  actor: { login: "copilot-swe-agent[bot]", id: 198982749, type: "Bot" },
  agent: { app: "copilot", signals: ["login copilot-swe-agent[bot]", "branch copilot/*"] },
};
const CODEX = { actor: { login: "codex-bot", id: 3, type: "Bot" }, agent: { app: "codex", signals: ["branch codex/*"] } };
const OCTOCAT = { actor: { login: "octocat", id: 583231, type: "User" }, agent: null };
const WEB = {
  repository: { id: 1296269, fullName: "acme/web" },
  pullRequest: 12,
  branch: "copilot/fix-login",
  headSha: "0123456789abcdef0123456789abcdef01234567",
  environment: { name: "web-pr-12-1a2b3c4d5e", provider: "kubernetes" as const, cluster: "ci-eu", namespace: "paddock-web-pr-12-1a2b3c4d5e" },
};
const API = {
  repository: { id: 1296270, fullName: "acme/api" },
  pullRequest: 8,
  branch: "fix-rate-limit",
  headSha: "89abcdef0123456789abcdef0123456789abcdef",
  environment: { name: "api-pr-8-5e4d3c2b1a", provider: "kubernetes" as const, cluster: "ci-eu", namespace: "paddock-api-pr-8-5e4d3c2b1a" },
};
const POLICY = { source: "file" as const, location: "acme/.github@main:.github/paddock-policy.yml", hash: "3f".repeat(32) };
const ALLOWED = { authorizer: { login: null, id: null, via: "org policy acme/.github" }, policy: POLICY, decision: { allowed: true, reasons: ["within the org limits"] } };

function usd(amountNanos: number, method: "measured" | "requested" = "measured") {
  return { currency: "USD", amountNanos, method };
}

/** The example's appends: one per UTC day, as one flush of the recorder would make them. */
const BATCHES: Array<{ now: Date; inputs: AuditRecordInput[] }> = [
  {
    now: new Date("2026-12-04T10:20:00.000Z"),
    inputs: [
      { action: "environment.created", time: new Date("2026-12-04T10:00:00.000Z"), ...COPILOT, ...WEB, ...ALLOWED, deliveryId: "d-1001", checkRunId: 501 },
      { action: "step.started", time: new Date("2026-12-04T10:01:00.000Z"), ...COPILOT, ...WEB, deliveryId: "d-1001", checkRunId: 501, step: { name: "build", status: "running", exitCode: null, durationMs: null } },
      { action: "step.finished", time: new Date("2026-12-04T10:04:00.000Z"), ...COPILOT, ...WEB, deliveryId: "d-1001", checkRunId: 501, step: { name: "build", status: "success", exitCode: 0, durationMs: 180_000 }, cost: usd(3_161_100) },
      { action: "step.started", time: new Date("2026-12-04T10:04:01.000Z"), ...COPILOT, ...WEB, deliveryId: "d-1001", checkRunId: 501, step: { name: "test", status: "running", exitCode: null, durationMs: null } },
      { action: "step.finished", time: new Date("2026-12-04T10:14:01.000Z"), ...COPILOT, ...WEB, deliveryId: "d-1001", checkRunId: 501, step: { name: "test", status: "failure", exitCode: 1, durationMs: 600_000 }, cost: usd(13_361_667) },
      {
        action: "policy.denied",
        time: new Date("2026-12-04T10:15:00.000Z"),
        ...CODEX,
        repository: API.repository,
        pullRequest: 9,
        branch: "codex/bigger-cache",
        headSha: "fedcba9876543210fedcba9876543210fedcba98",
        deliveryId: "d-1002",
        policy: POLICY,
        decision: { allowed: false, reasons: ["profiles.agent.resources.cpu: 8 is over the limit of 4"] },
      },
    ],
  },
  {
    now: new Date("2026-12-05T09:30:00.000Z"),
    inputs: [
      { action: "environment.created", time: new Date("2026-12-05T09:00:00.000Z"), ...OCTOCAT, ...API, ...ALLOWED, deliveryId: "d-1003", checkRunId: 502 },
      { action: "step.finished", time: new Date("2026-12-05T09:06:00.000Z"), ...OCTOCAT, ...API, deliveryId: "d-1003", checkRunId: 502, step: { name: "test", status: "success", exitCode: 0, durationMs: 300_000 }, cost: usd(6_680_833, "requested") },
      { action: "environment.torn_down", time: new Date("2026-12-05T09:20:00.000Z"), ...COPILOT, ...WEB, deliveryId: "d-1004", teardownReason: "merged", cost: usd(52_690_000, "requested") },
      { action: "environment.torn_down", time: new Date("2026-12-05T09:25:00.000Z"), ...OCTOCAT, ...API, deliveryId: "d-1005", teardownReason: "closed", cost: usd(1_404_933, "requested") },
    ],
  },
];

/**
 * Builds the example ledger's files (paths relative to the ledger folder) the way the Git
 * ledger writes them, with checkpoints signed by `privateKey`.
 */
export function buildExampleAuditLedger(privateKey: KeyObject): Map<string, string> {
  const files = new Map<string, string>();
  let head: LedgerHead | null = null;
  let count = 0;

  for (const batch of BATCHES) {
    const pending = batch.inputs.map((input) => {
      count += 1;
      const id = `00000000-0000-4000-8000-${String(count).padStart(12, "0")}`;
      return buildPendingAuditRecord({ input, now: batch.now, id });
    });
    const path = chooseRecordFilePath({ head, now: batch.now });
    const text = files.get(path);
    const snapshot = { head, recordFile: { path, text: text ?? "", exists: text !== undefined } };
    const plan = planLedgerAppend({ snapshot, pending, now: batch.now, signer: { privateKey, interval: EXAMPLE_CHECKPOINT_INTERVAL } });
    for (const file of plan.files) files.set(file.path, file.content);
    head = plan.head;
  }
  return files;
}

function writeExampleAuditLedger(root: string): void {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const directory = join(root, EXAMPLE_LEDGER_DIRECTORY);
  rmSync(directory, { recursive: true, force: true });

  for (const [path, content] of buildExampleAuditLedger(privateKey)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  writeFileSync(join(root, EXAMPLE_PUBLIC_KEY_PATH), publicKey.export({ type: "spki", format: "pem" }));
  console.log(`Wrote ${EXAMPLE_LEDGER_DIRECTORY} and ${EXAMPLE_PUBLIC_KEY_PATH}.`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeExampleAuditLedger(join(dirname(fileURLToPath(import.meta.url)), ".."));
}
