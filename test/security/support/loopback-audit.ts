import { join } from "node:path";

import { Octokit } from "@octokit/rest";
import type { Logger } from "pino";

import { openFileAuditSpool } from "../../../src/audit/file-audit-spool.ts";
import { createGitAuditLedger } from "../../../src/audit/git-audit-ledger.ts";
import type { GitHubRequest } from "../../../src/audit/github-request.ts";
import { createAuditTrail, type AuditTrail } from "../../../src/service/audit-trail.ts";
import { createFakeGitRepository, type FakeGitRepository } from "../../audit/support/fake-git-repository.ts";
import type { FakeGitHub } from "../../support/fake-github.ts";
import type { FakeHandler } from "../../support/fake-github-types.ts";
import type { LoopbackGitHub } from "../../loopback-github/loopback-github.ts";
import { loopbackOnlyFetch } from "../../loopback-github/paddock-server.ts";

/** The org audit repository the loopback suites write their ledger to. */
export const AUDIT_REPOSITORY = { owner: "acme", repo: "paddock-audit" } as const;

/** Installation whose token writes the audit repository. */
const AUDIT_INSTALLATION = 99;

/**
 * Serves an audit repository on the loopback GitHub and returns a factory for the app's audit
 * trail: a spool under `<stateDir>/audit` and a ledger that commits to that repository with a
 * token of its own, as PADDOCK_AUDIT_TOKEN gives the app.
 */
export function serveAuditRepository(github: LoopbackGitHub, stateDir: string): { repository: FakeGitRepository; createTrail: (logger: Logger) => Promise<AuditTrail> } {
  const handlers: Record<string, FakeHandler> = {};
  const registrar = { on: (route: string, handler: FakeHandler) => void (handlers[route] = handler) } as unknown as FakeGitHub;
  const repository = createFakeGitRepository({ fake: registrar, ...AUDIT_REPOSITORY });
  github.mount(handlers, (request) => request.params.owner === AUDIT_REPOSITORY.owner && request.params.repo === AUDIT_REPOSITORY.repo);

  const createTrail = async (logger: Logger): Promise<AuditTrail> => {
    const { token } = github.tokens.mint(AUDIT_INSTALLATION, Date.now());
    // The ledger reads files that do not exist yet, so Octokit's own 404 lines would only be noise.
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const octokit = new Octokit({ auth: token, baseUrl: github.baseUrl, request: { fetch: loopbackOnlyFetch }, log: quiet });
    const spool = await openFileAuditSpool({ directory: join(stateDir, "audit") });
    const ledger = createGitAuditLedger({ request: octokit.request as unknown as GitHubRequest, ...AUDIT_REPOSITORY });
    return createAuditTrail({ spool, ledger, logger });
  };
  return { repository, createTrail };
}
