import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import { pino } from "pino";
import { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";

import { MAX_RETRY_AFTER_SECONDS, readRetryAfter } from "../../src/github/bounded-retries.ts";
import { createPaddockOctokit } from "../../src/github/paddock-octokit.ts";
import { loopbackOnlyFetch, throwawayPrivateKey } from "../loopback-github/paddock-server.ts";
import { rejection } from "../support/rejection.ts";

const TOKEN_PATH = "/api/v3/app/installations/4242/access_tokens";
const REPO_PATH = "/api/v3/repos/acme/widgets";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Starts a GitHub on 127.0.0.1 whose `answer` replies to each request, and records every request line. */
async function startGitHub(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ baseUrl: string; sent: string[] }> {
  const sent: string[] = [];
  server = createServer((request, response) => {
    sent.push(`${request.method} ${request.url}`);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v3`, sent };
}

function replyToken(response: ServerResponse): void {
  response.writeHead(201, { "content-type": "application/json" });
  response.end(JSON.stringify({ token: "ghs_loopback", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" }));
}

function replyStatus(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify({ message: `status ${status}` }));
}

/** Returns an installation client whose retries wait milliseconds instead of seconds. */
async function installationClient(baseUrl: string) {
  const probot = new Probot({
    appId: 1,
    privateKey: throwawayPrivateKey(),
    baseUrl,
    log: pino({ level: "silent" }),
    Octokit: createPaddockOctokit().defaults({ retry: { retryAfterBaseValue: 1 } }),
    request: { fetch: loopbackOnlyFetch },
  });
  return probot.auth(4242);
}

/** The error of a failed request, with the status and the retry-after the retry plugin recorded. */
type RequestFailure = Error & { status?: number; request?: { request?: { retryAfter?: number } } };

describe("bounded retries", () => {
  it("sends a failing token request 4 times", async () => {
    const { baseUrl, sent } = await startGitHub((_request, response) => replyStatus(response, 500));
    const octokit = await installationClient(baseUrl);

    const error = await rejection<RequestFailure>(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }));

    expect(error.status).toBe(500);
    expect(sent).toEqual(Array(4).fill(`POST ${TOKEN_PATH}`));
  });

  it("mints once and retries the request", async () => {
    const { baseUrl, sent } = await startGitHub((request, response) => (request.url === TOKEN_PATH ? replyToken(response) : replyStatus(response, 502)));
    const octokit = await installationClient(baseUrl);

    const error = await rejection<RequestFailure>(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }));

    expect(error.status).toBe(502);
    expect(sent).toEqual([`POST ${TOKEN_PATH}`, ...Array(4).fill(`GET ${REPO_PATH}`)]);
  });

  it("retries a failed token request in the next attempt", async () => {
    let tokenRequests = 0;
    const { baseUrl, sent } = await startGitHub((request, response) => {
      if (request.url !== TOKEN_PATH) return replyStatus(response, 200);
      tokenRequests += 1;
      return tokenRequests === 1 ? replyStatus(response, 503) : replyToken(response);
    });
    const octokit = await installationClient(baseUrl);

    const response = await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" });

    expect(response.status).toBe(200);
    expect(sent).toEqual([`POST ${TOKEN_PATH}`, `POST ${TOKEN_PATH}`, `GET ${REPO_PATH}`]);
  });

  it("waits the retry-after GitHub sent", async () => {
    const { baseUrl, sent } = await startGitHub((request, response) => (request.url === TOKEN_PATH ? replyToken(response) : replyStatus(response, 503, { "retry-after": "7" })));
    const octokit = await installationClient(baseUrl);

    const error = await rejection<RequestFailure>(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }));

    expect(error.status).toBe(503);
    expect(error.request?.request?.retryAfter).toBe(7);
    expect(sent).toHaveLength(5);
  });

  it("waits 1, 4, 9 s without retry-after", async () => {
    const { baseUrl } = await startGitHub((request, response) => (request.url === TOKEN_PATH ? replyToken(response) : replyStatus(response, 500)));
    const octokit = await installationClient(baseUrl);

    const error = await rejection<RequestFailure>(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }));

    // The last failure computes the wait a fourth retry would have had: (3 + 1) squared.
    expect(error.request?.request?.retryAfter).toBe(16);
  });
});

describe("readRetryAfter", () => {
  const withHeader = (value: string) => ({ response: { headers: { "retry-after": value } } });

  it("reads seconds", () => {
    expect(readRetryAfter(withHeader("12"))).toBe(12);
  });

  it("caps a long wait", () => {
    expect(readRetryAfter(withHeader("3600"))).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it("reads a past HTTP date as 0", () => {
    expect(readRetryAfter(withHeader("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(0);
  });

  it("caps a far HTTP date", () => {
    expect(readRetryAfter(withHeader("Fri, 01 Jan 2100 00:00:00 GMT"))).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it("ignores an invalid header", () => {
    expect(readRetryAfter(withHeader("soon"))).toBeUndefined();
  });

  it("ignores a missing header", () => {
    expect(readRetryAfter({ response: { headers: {} } })).toBeUndefined();
  });
});
