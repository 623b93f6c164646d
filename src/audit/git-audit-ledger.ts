import { PaddockError } from "../errors.ts";
import type { AuditAppendResult, AuditLedger } from "./audit-ledger.ts";
import type { PendingAuditRecord } from "./audit-record-schema.ts";
import { createGitDataClient, type GitDataClient } from "./git-data-client.ts";
import type { GitHubRequest } from "./github-request.ts";
import { DEFAULT_AUDIT_REPOSITORY, HEAD_PATH, ledgerHeadSchema, type LedgerHead } from "./ledger-layout.ts";
import { chooseRecordFilePath, planLedgerAppend, type CheckpointSigner, type LedgerAppendPlan } from "./plan-ledger-append.ts";

/** Attempts of one append when other writers keep moving the branch first. */
export const MAX_CONFLICT_ATTEMPTS = 8;
/** Base of the random backoff between conflicting attempts; it doubles per attempt. */
export const CONFLICT_BACKOFF_BASE_MS = 50;
/** Cap of the backoff between conflicting attempts. */
export const CONFLICT_BACKOFF_MAX_MS = 2_000;

/** Options of `createGitAuditLedger`. */
export interface GitAuditLedgerOptions {
  /** Octokit's `request`, authenticated with a credential limited to the audit repository. */
  request: GitHubRequest;
  owner: string;
  /** Defaults to `paddock-audit`. */
  repo?: string;
  /** Defaults to `main`. */
  branch?: string;
  /** Without a signer no checkpoints are written. */
  signer?: CheckpointSigner;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1) for backoff jitter; defaults to Math.random. */
  random?: () => number;
}

/**
 * Creates the ledger in the org audit repository. An append reads the branch, `head.json` and
 * the day's record file, commits the new files on top through the Git Data API and moves the
 * branch with `force: false`. When another writer moved the branch first, it re-reads and
 * renumbers, so concurrent replicas keep one chain. Eight API calls per batch.
 * NOTE: each append uploads the whole day's file again, and GitHub serves raw files only up
 * to 100 MB, so a day's file has no part files to grow into beyond that.
 */
export function createGitAuditLedger(options: GitAuditLedgerOptions): AuditLedger {
  const repo = options.repo ?? DEFAULT_AUDIT_REPOSITORY;
  const branch = options.branch ?? "main";
  const git = createGitDataClient({ request: options.request, owner: options.owner, repo });
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  return {
    async append(pending): Promise<AuditAppendResult> {
      if (pending.length === 0) return { records: [], duplicateIds: [] };
      for (let attempt = 1; attempt <= MAX_CONFLICT_ATTEMPTS; attempt += 1) {
        const outcome = await tryAppend({ git, branch, pending, now: now(), signer: options.signer });
        if (outcome !== "conflict") return { records: outcome.records, duplicateIds: outcome.duplicateIds };

        const ceiling = Math.min(CONFLICT_BACKOFF_MAX_MS, CONFLICT_BACKOFF_BASE_MS * 2 ** (attempt - 1));
        if (attempt < MAX_CONFLICT_ATTEMPTS) await sleep(Math.floor(random() * ceiling));
      }
      throw new PaddockError("AUDIT_LEDGER_CONFLICT", `branch ${branch} of ${options.owner}/${repo} moved during each of ${MAX_CONFLICT_ATTEMPTS} append attempts`, {
        hint: "the records stay in the spool and the next flush retries",
      });
    },
  };
}

async function tryAppend(options: {
  git: GitDataClient;
  branch: string;
  pending: readonly PendingAuditRecord[];
  now: Date;
  signer: CheckpointSigner | undefined;
}): Promise<LedgerAppendPlan | "conflict"> {
  const { git, branch, pending, now, signer } = options;

  // 1. Read the branch and the chain head at that commit.
  const parent = await git.readBranch(branch);
  const [baseTree, head] = await Promise.all([git.readCommitTree(parent), readHead(git, parent)]);

  // 2. Read the record file the batch goes to, then plan the new files.
  const path = chooseRecordFilePath({ head, now });
  const text = await git.readFile({ path, commitSha: parent });
  const plan = planLedgerAppend({ snapshot: { head, recordFile: { path, text: text ?? "", exists: text !== null } }, pending, now, signer });
  if (plan.records.length === 0) return plan;

  // 3. Commit: the record file as a blob (it can be large), the small files inline.
  const [recordFile, ...smallFiles] = plan.files;
  const blob = await git.createBlob(recordFile!.content);
  const tree = await git.createTree({ baseTree, files: [{ path: recordFile!.path, sha: blob }, ...smallFiles] });
  const first = plan.records[0]!.sequence;
  const message = `Append audit records ${first}-${plan.head!.sequence}`;
  const commit = await git.createCommit({ message, tree, parent });

  // 4. Move the branch only if no other writer moved it since step 1.
  return (await git.updateBranch({ branch, commitSha: commit })) === "updated" ? plan : "conflict";
}

async function readHead(git: GitDataClient, commitSha: string): Promise<LedgerHead | null> {
  const text = await git.readFile({ path: HEAD_PATH, commitSha });
  if (text === null) return null;
  try {
    return ledgerHeadSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new PaddockError("AUDIT_LEDGER_INCONSISTENT", `${HEAD_PATH} at commit ${commitSha} is not a valid chain head`, {
      hint: "run `paddock audit verify` on a checkout of the audit repository; appends stay paused until it is repaired",
      cause: error,
    });
  }
}
