import path from "node:path";
import { z } from "zod";
import { appendJsonLine, readJsonLines } from "./jsonl-file.ts";

/** Channel through which an approval was given. */
export type ApprovalChannel = "check-run button" | "label";

/** An approval to run one head commit of one pull request. */
export interface ApprovalRecord {
  repositoryId: number;
  pullRequest: number;
  /** The commit approved; a newer push needs a new approval. */
  headSha: string;
  login: string;
  /** The approver's repository role when the approval was checked, such as write or admin. */
  permission: string;
  via: ApprovalChannel;
  /** ISO 8601 time of the approval. */
  at: string;
}

/** Approvals kept in Paddock's state, so a restart does not lose them. */
export interface ApprovalStore {
  /** Returns the newest approval of exactly this head commit, if any. */
  find(query: { repositoryId: number; pullRequest: number; headSha: string }): Promise<ApprovalRecord | undefined>;
  record(approval: ApprovalRecord): Promise<void>;
  /**
   * Deletes the approvals of a closed pull request, so a reopened one needs a new approval.
   * Absent on a store that keeps them.
   */
  forget?(pullRequest: { repositoryId: number; pullRequest: number }): Promise<void>;
}

/** The schema every stored approval is read back through. */
export const approvalRecordSchema = z.object({
  repositoryId: z.number().int(),
  pullRequest: z.number().int(),
  headSha: z.string(),
  login: z.string(),
  permission: z.string(),
  via: z.enum(["check-run button", "label"]),
  at: z.string(),
});

/**
 * Creates the store over `<stateDir>/approvals.jsonl`.
 * NOTE: the file keeps the approvals of closed pull requests and superseded commits; it has no `forget`.
 */
export function createJsonlApprovalStore(options: { stateDir: string }): ApprovalStore {
  const file = path.join(options.stateDir, "approvals.jsonl");
  return {
    async find(query) {
      const records = await readJsonLines(file, (value) => approvalRecordSchema.parse(value));
      return findApproval(records, query);
    },
    async record(approval) {
      await appendJsonLine(file, approval);
    },
  };
}

/** Returns the newest of `records` that approves exactly the query's head commit. */
export function findApproval(records: readonly ApprovalRecord[], query: Parameters<ApprovalStore["find"]>[0]): ApprovalRecord | undefined {
  return records.filter((record) => record.repositoryId === query.repositoryId && record.pullRequest === query.pullRequest && record.headSha === query.headSha).at(-1);
}
