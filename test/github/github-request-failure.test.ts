import { createServer } from "node:net";

import { pino } from "pino";
import { Probot } from "probot";
import { beforeAll, describe, expect, it } from "vitest";

import { createPaddockOctokit } from "../../src/github/paddock-octokit.ts";
import { loopbackOnlyFetch, throwawayPrivateKey } from "../loopback-github/paddock-server.ts";
import { rejection } from "../support/rejection.ts";

const FAILED = "GitHub API request failed without a response";

let closedPort: number;

beforeAll(async () => {
  // A port that was just free and is closed again, so every connection to it is refused.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Creates the app's Octokit on Probot against the closed port, with retries 1,000 times faster, and its captured log lines. */
function createUnreachableProbot() {
  const logs: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info", formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const probot = new Probot({
    appId: 1,
    privateKey: throwawayPrivateKey(),
    baseUrl: `http://127.0.0.1:${closedPort}/api/v3`,
    log,
    Octokit: createPaddockOctokit().defaults({ retry: { retryAfterBaseValue: 1 } }),
    request: { fetch: loopbackOnlyFetch },
  });
  return { probot, logs };
}

describe("GitHub request failure", () => {
  it("names the installation token step", async () => {
    const { probot } = createUnreachableProbot();
    const octokit = await probot.auth(4242);

    const error = await rejection(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }));

    expect(error.message).toMatch(
      new RegExp(
        `^getting an installation token for installation 4242 failed: POST http://127\\.0\\.0\\.1:${closedPort}/api/v3/app/installations/4242/access_tokens got no response \\(fetch failed: .*ECONNREFUSED.*\\)\\. Check GHE_HOST and GHE_PROTOCOL and that this host can reach GitHub$`,
      ),
    );
  });

  it("logs one warn line per attempt", async () => {
    const { probot, logs } = createUnreachableProbot();
    const octokit = await probot.auth(4242);

    await rejection(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }));
    const failures = logs.filter((line) => line.msg === FAILED);

    // 4 attempts of the request, each sending the token request once.
    expect(failures).toHaveLength(4);
    for (const line of failures) {
      expect(line.level).toBe("warn");
      expect(line.method).toBe("POST");
      expect(line.url).toBe(`http://127.0.0.1:${closedPort}/api/v3/app/installations/4242/access_tokens`);
      expect(line.step).toBe("getting an installation token for installation 4242");
      expect(line.detail).toMatch(/ECONNREFUSED/);
      expect(line.stack).toBeUndefined();
    }
  });

  it("names a request of an authenticated client", async () => {
    const { probot, logs } = createUnreachableProbot();
    const octokit = new (createPaddockOctokit().defaults({ retry: { enabled: false } }))({ auth: { token: "ghs_unit" }, baseUrl: `http://127.0.0.1:${closedPort}/api/v3`, log: probot.log });

    const error = await rejection(octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "acme", repo: "widgets", path: "README.md", ref: "secret-ref" }));

    expect(error.message).toMatch(new RegExp(`^GitHub API request failed: GET http://127\\.0\\.0\\.1:${closedPort}/api/v3/repos/acme/widgets/contents/README\\.md got no response`));
    expect(logs.filter((line) => line.msg === FAILED).map((line) => line.url)).toEqual([`http://127.0.0.1:${closedPort}/api/v3/repos/acme/widgets/contents/README.md`]);
    expect(JSON.stringify(logs)).not.toContain("secret-ref");
  });
});
