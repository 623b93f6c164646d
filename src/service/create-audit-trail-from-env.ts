import type { KeyObject } from "node:crypto";
import { Octokit } from "@octokit/rest";
import type { Logger } from "pino";
import { DEFAULT_CHECKPOINT_INTERVAL, loadCheckpointSigningKey } from "../audit/audit-checkpoint.ts";
import type { GitHubRequest } from "../audit/github-request.ts";
import { createGitAuditLedger } from "../audit/git-audit-ledger.ts";
import { loadPemSettingKey, readPemSetting } from "../audit/read-pem-setting.ts";
import { DEFAULT_SPOOL_HOLD_MS } from "../audit/kubernetes-audit-spool.ts";
import { PaddockError } from "../errors.ts";
import { createAuditTrail, type AuditTrail } from "./audit-trail.ts";
import { openAuditSpoolFromEnv } from "./open-audit-spool-from-env.ts";

const SIGNING_KEY_HINT = "set the Ed25519 private key's PEM text, or the path of a PEM file that contains it";

/**
 * Builds the audit trail from environment variables. Records are spooled in the spool that
 * PADDOCK_AUDIT_SPOOL names (see `openAuditSpoolFromEnv`). They reach the org audit repository
 * when PADDOCK_AUDIT_REPOSITORY (`owner/name`) and PADDOCK_AUDIT_TOKEN (a token that can write to that repository only) are
 * set. PADDOCK_AUDIT_SIGNING_KEY, for signed checkpoints, contains an Ed25519 private key in PEM
 * or the path of a file that contains one. GITHUB_API_URL sets the ledger's GitHub API URL.
 */
export async function createAuditTrailFromEnv(options: { env: NodeJS.ProcessEnv; stateDir: string; logger: Logger }): Promise<AuditTrail> {
  const { env, stateDir, logger } = options;
  const repository = env.PADDOCK_AUDIT_REPOSITORY;
  // Read before anything else, so a bad key stops the app at start-up even where no ledger uses it.
  const signingKey = env.PADDOCK_AUDIT_SIGNING_KEY ? readSigningKey(env.PADDOCK_AUDIT_SIGNING_KEY) : undefined;
  if (!repository) {
    if (signingKey) logger.warn("PADDOCK_AUDIT_SIGNING_KEY is ignored: checkpoints are signed only in a ledger, and PADDOCK_AUDIT_REPOSITORY is not set");
    return createAuditTrail({ spool: await openAuditSpoolFromEnv({ env, stateDir, hasLedger: false, logger }), logger });
  }

  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new PaddockError("USAGE", `PADDOCK_AUDIT_REPOSITORY=${repository} is invalid`, { hint: "set it to owner/name, such as acme/paddock-audit" });
  }
  if (!env.PADDOCK_AUDIT_TOKEN) {
    throw new PaddockError("USAGE", "PADDOCK_AUDIT_TOKEN is missing", { hint: "set a token that can write to the audit repository and nothing else" });
  }
  const octokit = new Octokit({ auth: env.PADDOCK_AUDIT_TOKEN, ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}) });
  const signer = signingKey ? { privateKey: signingKey, interval: DEFAULT_CHECKPOINT_INTERVAL } : undefined;
  const request = octokit.request as unknown as GitHubRequest;
  const ledger = createGitAuditLedger({ request, owner, repo, ...(signer ? { signer } : {}) });
  const spool = await openAuditSpoolFromEnv({ env, stateDir, hasLedger: true, logger });
  const trail = createAuditTrail({ spool, ledger, logger });
  if ("instanceId" in spool) {
    // Records of a crashed replica become flushable once its holds end, which no event may
    // follow, so the ConfigMap spool is flushed once per hold period as well.
    setInterval(() => void trail.flush(), DEFAULT_SPOOL_HOLD_MS).unref();
  }
  return trail;
}

function readSigningKey(value: string): KeyObject {
  const setting = readPemSetting({ name: "PADDOCK_AUDIT_SIGNING_KEY", value, cwd: process.cwd(), hint: SIGNING_KEY_HINT, secret: true });
  return loadPemSettingKey(setting, loadCheckpointSigningKey);
}
