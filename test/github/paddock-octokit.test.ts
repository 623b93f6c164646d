import { describe, expect, it } from "vitest";

import { createPaddockOctokit, withResponseTimeout } from "../../src/github/paddock-octokit.ts";
import { rejection } from "../support/rejection.ts";

/** A fetch that counts its calls and never answers until its signal aborts. */
function silentFetch() {
  const calls: string[] = [];
  const fetch = ((input: string | URL | Request, init?: RequestInit) => {
    calls.push(String(input));
    return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("Paddock's Octokit", () => {
  it("never sends a request its caller already cancelled", async () => {
    const { fetch, calls } = silentFetch();
    const octokit = new (createPaddockOctokit())({ auth: { token: "ghs_unit" }, request: { fetch } });
    const controller = new AbortController();
    controller.abort(new Error("Cancelled: superseded by 1234567"));

    const error = await rejection(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets", request: { signal: controller.signal } }));

    expect(error.name).toBe("AbortError");
    expect(error.message).toBe("Cancelled: superseded by 1234567");
    expect(calls).toEqual([]);
  });

  it("does not retry a request its caller cancelled", async () => {
    const { fetch, calls } = silentFetch();
    const octokit = new (createPaddockOctokit())({ auth: { token: "ghs_unit" }, request: { fetch } });
    const controller = new AbortController();

    const pending = octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", { owner: "acme", repo: "widgets", ref: "main", request: { signal: controller.signal } });
    while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error("Cancelled: the environment is being torn down"));
    const error = await rejection(pending);

    expect(error.name).toBe("AbortError");
    expect(calls).toHaveLength(1);
  });

  it("fails a request whose response never starts", async () => {
    const { fetch, calls } = silentFetch();

    const error = await rejection(withResponseTimeout(fetch, 20)("http://127.0.0.1:9/repos/acme/widgets"));

    expect(error.name).toBe("Error");
    expect(error.message).toBe("GitHub sent no response within 20 ms");
    expect(calls).toEqual(["http://127.0.0.1:9/repos/acme/widgets"]);
  });
});
