import { Octokit } from "@octokit/rest";

const SILENT = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Returns an Octokit with the audit credential of the tests and no request log, because a missing ledger file is an expected 404. */
export function createAuditOctokit(): Octokit {
  return new Octokit({ auth: "fake-audit-credential", log: SILENT });
}
