import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";

import { createFakeGitHub, type FakeGitHub } from "./fake-github.ts";
import { validateGitHubResponse } from "./openapi-response-validator.ts";

const OWNER = "octo-org";
const REPO = "widgets";
// A JWT's shape: three base64url parts. The fake checks the shape, not the signature.
const APP_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NTYifQ.c2lnbmF0dXJl";
const SILENT_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let fake: FakeGitHub;
let server: Server | undefined;

afterEach(async () => {
  fake.close();
  fake.assertNoViolations();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

function client(auth = "ghp_test"): Octokit {
  return new Octokit({ auth, log: SILENT_LOG });
}

// @octokit/auth-token sends a JWT-shaped token as "bearer", as GitHub expects for app routes.
function appClient(): Octokit {
  return new Octokit({ auth: APP_JWT, log: SILENT_LOG });
}

describe("createFakeGitHub", () => {
  it("mints a token for a bodyless request", async () => {
    fake = createFakeGitHub({ now: () => new Date("2026-03-01T12:00:00.000Z") });

    const { data, status } = await appClient().request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 42 });

    expect(status).toBe(201);
    expect(data.token).toBe("ghs_fake42n10000000000000000000000000000");
    expect(data.expires_at).toBe("2026-03-01T13:00:00Z");
    expect(fake.tokenMints(42)).toBe(1);
    expect(fake.calls[0]?.body).toBeUndefined();
    const pathTemplate = "/app/installations/{installation_id}/access_tokens";
    expect(validateGitHubResponse({ method: "POST", pathTemplate, status: 201, body: data })).toEqual([]);
  });

  it("accepts a token it minted", async () => {
    fake = createFakeGitHub();
    const { data } = await appClient().request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 7 });
    fake.setPullRequest({ owner: OWNER, repo: REPO, pullRequest: { number: 5 } });

    const { status } = await client(data.token).rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 5 });

    expect(status).toBe(200);
  });

  it("rejects a token it never minted", async () => {
    fake = createFakeGitHub();
    fake.setPullRequest({ owner: OWNER, repo: REPO, pullRequest: { number: 5 } });

    const read = client("ghs_fake7n900000000000000000000000000000").rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 5 });

    await expect(read).rejects.toMatchObject({ status: 401 });
    expect(fake.takeViolations().map((violation) => violation.message)).toEqual([
      `GET /repos/${OWNER}/${REPO}/pulls/5: the token ghs_fake7n900000000000000000000000000000 was never minted by this fake`,
    ]);
  });

  it("rejects the app JWT on a repository route", async () => {
    fake = createFakeGitHub();

    await expect(appClient().rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 5 })).rejects.toMatchObject({ status: 401 });
    expect(fake.takeViolations().map((violation) => violation.message)).toEqual([
      `GET /repos/${OWNER}/${REPO}/pulls/5: GitHub rejects the app's JWT on /repos/{owner}/{repo}/pulls/{pull_number}; use an installation token`,
    ]);
  });

  it("rejects a token on an app route", async () => {
    fake = createFakeGitHub();

    await expect(client().request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 1 })).rejects.toMatchObject({
      status: 401,
    });
    expect(fake.takeViolations()).toHaveLength(1);
    expect(fake.tokenMints(1)).toBe(0);
  });

  it("records an unknown path as a violation", async () => {
    fake = createFakeGitHub();

    await expect(client().request("GET /repos/{owner}/{repo}/paddock", { owner: OWNER, repo: REPO })).rejects.toMatchObject({ status: 404 });
    const violations = fake.takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]?.status).toBe(404);
    expect(violations[0]?.message).toBe(
      `Invalid GitHub request GET /repos/${OWNER}/${REPO}/paddock:\n  - no operation of GitHub's REST API has the path /repos/${OWNER}/${REPO}/paddock`,
    );
    expect(fake.calls[0]?.operationId).toBeUndefined();
  });

  it("records a route without a handler as a violation", async () => {
    fake = createFakeGitHub();

    await expect(client().rest.repos.get({ owner: OWNER, repo: REPO })).rejects.toMatchObject({ status: 501 });
    expect(fake.takeViolations().map((violation) => violation.message)).toEqual([
      `GET /repos/${OWNER}/${REPO}: the fake GitHub has no handler for GET /repos/{owner}/{repo}; add one with fake.on("GET /repos/{owner}/{repo}", handler)`,
    ]);
  });

  it("routes to a handler added with on", async () => {
    fake = createFakeGitHub();
    fake.on("GET /repos/{owner}/{repo}", (request) => ({ status: 200, body: { full_name: `${request.params.owner}/${request.params.repo}` } }));

    const { data } = await client().rest.repos.get({ owner: OWNER, repo: REPO });

    expect(data.full_name).toBe(`${OWNER}/${REPO}`);
  });

  it("rejects an unknown route in on", () => {
    fake = createFakeGitHub();

    expect(() => fake.on("GET /repos/{owner}/{repo}/paddock", () => ({ status: 200 }))).toThrow(
      'Unknown GitHub route "GET /repos/{owner}/{repo}/paddock": expected "METHOD /path/template" as GitHub\'s OpenAPI description writes it',
    );
  });

  it("records a throwing handler as a violation", async () => {
    fake = createFakeGitHub();
    fake.on("GET /repos/{owner}/{repo}", () => {
      throw new Error("handler bug");
    });

    await expect(client().rest.repos.get({ owner: OWNER, repo: REPO })).rejects.toMatchObject({ status: 500 });
    const [violation] = fake.takeViolations();
    expect(violation?.message).toContain("the handler for GET /repos/{owner}/{repo} threw: Error: handler bug");
  });

  it("fails the next requests with failNext", async () => {
    fake = createFakeGitHub();
    fake.setPullRequest({ owner: OWNER, repo: REPO, pullRequest: { number: 5 } });
    fake.failNext("GET /repos/{owner}/{repo}/pulls/{pull_number}", { status: 502, headers: { "retry-after": "1" }, times: 2 });
    const read = () => client().rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 5 });

    await expect(read()).rejects.toMatchObject({ status: 502, response: { headers: { "retry-after": "1" } } });
    await expect(read()).rejects.toMatchObject({ status: 502 });
    await expect(read()).resolves.toMatchObject({ status: 200, data: { number: 5 } });
    expect(fake.calls.map((call) => call.status)).toEqual([502, 502, 200]);
  });

  it("serves a registered pull request and 404 otherwise", async () => {
    fake = createFakeGitHub();
    fake.setPullRequest({ owner: OWNER, repo: REPO, pullRequest: { number: 5 } });

    await expect(client().rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 5 })).resolves.toMatchObject({ data: { number: 5 } });
    await expect(client().rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 6 })).rejects.toMatchObject({ status: 404 });
  });

  it("blocks loopback unless allowed", async () => {
    fake = createFakeGitHub();
    server = createServer((_request, response) => response.end("local"));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    await expect(fetch(url)).rejects.toThrow();
    fake.close();

    fake = createFakeGitHub({ allowLoopback: true });
    const response = await fetch(url);
    expect(await response.text()).toBe("local");
  });

  it("stops intercepting after close", async () => {
    fake = createFakeGitHub();
    fake.close();

    await expect(client().rest.repos.get({ owner: OWNER, repo: REPO })).rejects.toThrow();
    expect(fake.calls).toEqual([]);
    fake = createFakeGitHub();
  });
});
