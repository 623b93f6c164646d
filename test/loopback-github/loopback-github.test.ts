import { createSign } from "node:crypto";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { PASSING_CONFIG, WIDGETS, deliverPullRequest, serveWidgets } from "./loopback-fixtures.ts";
import { ENTERPRISE_API_PREFIX, startLoopbackGitHub, type LoopbackGitHub } from "./loopback-github.ts";
import { startPaddockServer, throwawayPrivateKey, type PaddockUnderTest } from "./paddock-server.ts";

let github: LoopbackGitHub;
let app: PaddockUnderTest | undefined;

beforeEach(async () => {
  github = await startLoopbackGitHub();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await github.close();
  github.assertNoViolations();
});

/** Mints a token for installation 77 with a JWT signed by the app's key, as GitHub Apps do, and returns it. */
async function mintToken(): Promise<string> {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const seconds = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: seconds - 60, exp: seconds + 540, iss: "1" })}`;
  const jwt = `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(throwawayPrivateKey(), "base64url")}`;
  const response = await fetch(`${github.baseUrl}/app/installations/${WIDGETS.installationId}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } });
  return ((await response.json()) as { token: string }).token;
}

describe("loopback GitHub", () => {
  it("runs Paddock's pipeline end to end over HTTP", async () => {
    const { sha } = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG });
    app = await startPaddockServer({ baseUrl: github.baseUrl });

    const { reply } = await deliverPullRequest({ github, app, spec: { headSha: sha }, id: "delivery-1" });
    await app.service.onIdle();

    expect(reply.status).toBe(200);
    expect(github.checkRuns().map((run) => [run.head_sha, run.status, run.conclusion])).toEqual([[sha, "completed", "success"]]);
    expect(github.tokens.mintTimes(WIDGETS.installationId)).toHaveLength(1);
    expect(github.downloads()).toBe(1);
  });

  it("serves GitHub Enterprise's /api/v3 paths", async () => {
    const { sha } = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG });
    // Probot builds this base URL from GHE_HOST and GHE_PROTOCOL.
    app = await startPaddockServer({ baseUrl: `${github.baseUrl}${ENTERPRISE_API_PREFIX}` });

    await deliverPullRequest({ github, app, spec: { headSha: sha }, id: "delivery-1" });
    await app.service.onIdle();

    expect(github.checkRuns().map((run) => [run.head_sha, run.status, run.conclusion])).toEqual([[sha, "completed", "success"]]);
    expect(github.calls.length).toBeGreaterThan(0);
    expect(github.calls.every((call) => call.path.startsWith(`${ENTERPRISE_API_PREFIX}/`))).toBe(true);
  });

  it("answers an injected 500 once", async () => {
    serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG });
    const token = await mintToken();
    github.inject("GET /repos/{owner}/{repo}/contents/{path}", { kind: "status", status: 500 });
    const read = () => fetch(`${github.baseUrl}/repos/acme/widgets/contents/.github%2Fpaddock.yml`, { headers: { authorization: `token ${token}` } });

    const statuses = [(await read()).status, (await read()).status];

    expect(statuses).toEqual([500, 200]);
    expect(github.calls.map((call) => call.fault)).toEqual([undefined, "status", undefined]);
  });

  it("drops a connection without an answer", async () => {
    serveWidgets(github, {});
    const token = await mintToken();
    github.inject("GET /repos/{owner}/{repo}/pulls/{pull_number}", { kind: "drop" });

    const error = await fetch(`${github.baseUrl}/repos/acme/widgets/pulls/1`, { headers: { authorization: `token ${token}` } }).catch((caught: unknown) => caught as Error);

    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
  });

  it("holds a hung request until the client gives up", async () => {
    serveWidgets(github, {});
    const token = await mintToken();
    github.inject("GET /repos/{owner}/{repo}/pulls/{pull_number}", { kind: "hang" });

    const error = await fetch(`${github.baseUrl}/repos/acme/widgets/pulls/1`, { headers: { authorization: `token ${token}` }, signal: AbortSignal.timeout(200) }).catch((caught: unknown) => caught as Error);

    expect((error as Error).name).toBe("TimeoutError");
    expect(github.calls.at(-1)?.status).toBe(0);
  });

  it("rejects an expired token from then on", async () => {
    serveWidgets(github, {});
    const token = await mintToken();
    github.inject("GET /repos/{owner}/{repo}/pulls/{pull_number}", { kind: "expire-token" });
    const read = () => fetch(`${github.baseUrl}/repos/acme/widgets/pulls/1`, { headers: { authorization: `token ${token}` } });

    const statuses = [(await read()).status, (await read()).status];

    expect(statuses).toEqual([401, 401]);
    expect(github.pendingFaults()).toBe(0);
  });
});
