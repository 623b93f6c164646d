import { createCheckRunStore, type FakeCheckRun } from "./fake-github-check-runs.ts";
import { createContentStore, type RepositoryFile } from "./fake-github-contents.ts";
import { createPullRequestStore } from "./fake-github-pulls.ts";
import { interceptOrigin, removeInterceptors, restrictNetwork } from "./fake-github-nock.ts";
import { createFakeRouter, type DispatchResult, type RawRequest } from "./fake-github-router.ts";
import { CODELOAD_ORIGIN, createTarballStore, type RegisteredTarball, type TarballSource } from "./fake-github-tarball.ts";
import { createTokenStore } from "./fake-github-tokens.ts";
import {
  FAKE_APP_ID,
  type FakeHandler,
  type FakeViolation,
  type InjectedFailure,
  type RecordedCall,
} from "./fake-github-types.ts";
import { GITHUB_API_ORIGIN } from "./openapi-validator.ts";

/** Options of `createFakeGitHub`; every field has a default. */
export interface FakeGitHubOptions {
  /** The app id in check runs and the `app_id` filter; defaults to `FAKE_APP_ID`. */
  appId?: number;
  /** Clock for timestamps and token expiry; defaults to the system clock. */
  now?: () => Date;
  /** Lets requests reach 127.0.0.1 and ::1 (a local server under test); off by default. */
  allowLoopback?: boolean;
  /** Rejects requests whose credentials GitHub would reject; on by default. */
  requireAuth?: boolean;
}

/** A download from codeload.github.com. */
export interface RecordedDownload {
  method: string;
  path: string;
  status: number;
}

/** An in-process stand-in for api.github.com and codeload.github.com, built on nock. */
export interface FakeGitHub {
  /** Every request to api.github.com, in arrival order, including rejected ones. */
  readonly calls: RecordedCall[];
  readonly violations: FakeViolation[];
  readonly downloads: RecordedDownload[];
  /** Adds or replaces the handler of one route, e.g. `"GET /repos/{owner}/{repo}"`. */
  on(route: string, handler: FakeHandler): void;
  /** Fails the next `times` requests to the route with `status` instead of calling its handler. */
  failNext(route: string, failure: InjectedFailure): void;
  setFile(file: RepositoryFile): void;
  setDefaultBranch(options: { owner: string; repo: string; branch: string }): void;
  setTarball(source: TarballSource): RegisteredTarball;
  setPullRequest(options: { owner: string; repo: string; pullRequest: { number: number } }): void;
  /** Returns copies of the stored check runs, oldest first. */
  checkRuns(): FakeCheckRun[];
  /** Returns how many installation tokens were minted for this installation. */
  tokenMints(installationId: number): number;
  /** Throws an Error listing every violation; call it in `afterEach`. */
  assertNoViolations(): void;
  /** Returns the violations so far and clears them, for a test that expects a rejection. */
  takeViolations(): FakeViolation[];
  /** Removes this fake's interceptors and forbids network access again. */
  close(): void;
}

// nock uses the oldest matching interceptor, so a fake left open would shadow a new one.
let openFake: FakeGitHub | undefined;

/**
 * Starts a fake GitHub. Every method and path on api.github.com reaches one dispatcher, which
 * validates the request against GitHub's OpenAPI description and records it. The built-in
 * handlers (installation tokens, check runs, contents, tarball, pull requests) and handlers
 * added with `on` produce the responses. Real network access stays disabled. Creating a fake
 * closes the one still open, if any, and each fake needs `close()` after its test.
 */
export function createFakeGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  openFake?.close();
  const { tokens, checkRuns, contents, tarballs, pulls } = createStores(options);
  const router = createFakeRouter({ requireAuth: options.requireAuth ?? true, isMinted: tokens.isMinted });
  for (const store of [tokens, checkRuns, contents, tarballs, pulls]) {
    for (const [route, handler] of Object.entries(store.handlers)) router.on(route, handler);
  }

  const recorder = createRecorder();
  const interceptors = [
    ...interceptOrigin(GITHUB_API_ORIGIN, async (raw) => {
      const result = await router.dispatch(raw);
      recorder.recordCall(result);
      return result.response;
    }),
    ...interceptOrigin(CODELOAD_ORIGIN, async (raw) => {
      const response = raw.method === "GET" ? await tarballs.serveDownload(raw.path) : { status: 405, body: "" };
      recorder.recordDownload(raw, response.status);
      return response;
    }),
  ];
  restrictNetwork(options.allowLoopback ?? false);

  const fake: FakeGitHub = {
    calls: recorder.calls,
    violations: recorder.violations,
    downloads: recorder.downloads,
    on: router.on,
    failNext: router.failNext,
    setFile: contents.setFile,
    setDefaultBranch: contents.setDefaultBranch,
    setTarball: tarballs.setTarball,
    setPullRequest: pulls.setPullRequest,
    checkRuns: checkRuns.list,
    tokenMints: tokens.mintCount,
    assertNoViolations: () => assertNoViolations(recorder.violations),
    takeViolations: () => recorder.violations.splice(0, recorder.violations.length),
    close() {
      removeInterceptors(interceptors);
      if (openFake === fake) openFake = undefined;
    },
  };
  openFake = fake;
  return fake;
}

function createStores(options: FakeGitHubOptions) {
  const now = options.now ?? (() => new Date());
  return {
    tokens: createTokenStore({ now }),
    checkRuns: createCheckRunStore({ appId: options.appId ?? FAKE_APP_ID, now }),
    contents: createContentStore(),
    tarballs: createTarballStore(),
    pulls: createPullRequestStore(),
  };
}

function createRecorder() {
  const calls: RecordedCall[] = [];
  const violations: FakeViolation[] = [];
  const downloads: RecordedDownload[] = [];

  return {
    calls,
    violations,
    downloads,
    recordCall({ call, violation }: DispatchResult): void {
      calls.push(call);
      if (violation) violations.push({ method: call.method, path: call.path, status: call.status, message: violation });
    },
    recordDownload(raw: RawRequest, status: number): void {
      downloads.push({ method: raw.method, path: raw.path, status });
      if (status < 400) return;
      const message = `${raw.method} ${CODELOAD_ORIGIN}${raw.path}: no tarball is registered at this URL`;
      violations.push({ method: raw.method, path: raw.path, status, message });
    },
  };
}

function assertNoViolations(violations: FakeViolation[]): void {
  if (violations.length === 0) return;
  const lines = violations.map((violation) => `- [${violation.status}] ${violation.message}`);
  throw new Error(`The fake GitHub recorded ${violations.length} violation(s):\n${lines.join("\n")}`);
}
