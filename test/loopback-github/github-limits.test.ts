import { describe, expect, it } from "vitest";

import { GitHubLimiter, SECONDARY_LIMIT_MESSAGE, type Admission } from "./github-limits.ts";

const READ = { actor: "77", method: "GET", pathTemplate: "/repos/{owner}/{repo}/pulls/{pull_number}" };
const CREATE = { actor: "77", method: "POST", pathTemplate: "/repos/{owner}/{repo}/check-runs" };
const UPDATE = { actor: "77", method: "PATCH", pathTemplate: "/repos/{owner}/{repo}/check-runs/{check_run_id}" };

function rejection(admission: Admission) {
  return admission.admitted ? undefined : admission.rejection;
}

describe("GitHub limiter", () => {
  it("rejects the 5,001st request of an hour with the reset time", () => {
    let now = 1_000_000;
    const limiter = new GitHubLimiter({ now: () => now, limits: { pointsPerMinutePerEndpoint: 1_000_000 } });
    for (let index = 0; index < 5_000; index += 1) {
      const admission = limiter.admit(READ);
      if (!admission.admitted) throw new Error(`request ${index + 1} was rejected`);
      admission.release();
      now += 1;
    }

    const rejected = rejection(limiter.admit(READ));

    expect(rejected?.limit).toBe("primary");
    expect(rejected?.status).toBe(403);
    expect(rejected?.headers["x-ratelimit-remaining"]).toBe("0");
    expect(rejected?.headers["x-ratelimit-reset"]).toBe(String(Math.ceil((1_000_000 + 3_600_000) / 1000)));
  });

  it("counts the hour per installation", () => {
    const limiter = new GitHubLimiter({ now: () => 0, limits: { requestsPerHour: 1 } });
    limiter.admit(READ);

    expect(limiter.admit({ ...READ, actor: "78" }).admitted).toBe(true);
    expect(rejection(limiter.admit(READ))?.limit).toBe("primary");
  });

  it("rejects the 101st concurrent request", () => {
    const limiter = new GitHubLimiter({ now: () => 0 });
    const open = Array.from({ length: 100 }, () => limiter.admit(READ));

    const rejected = rejection(limiter.admit({ ...READ, pathTemplate: "/repos/{owner}/{repo}" }));
    for (const admission of open) if (admission.admitted) admission.release();

    expect(open.every((admission) => admission.admitted)).toBe(true);
    expect(rejected).toEqual({ limit: "concurrency", status: 403, headers: { "retry-after": "1" }, message: SECONDARY_LIMIT_MESSAGE });
    expect(limiter.admit(READ).admitted).toBe(true);
  });

  it("charges writes 5 points against 900 a minute per endpoint", () => {
    let now = 0;
    const limiter = new GitHubLimiter({ now: () => now, secondaryStatus: 429 });
    for (let index = 0; index < 180; index += 1) {
      const admission = limiter.admit(UPDATE);
      if (admission.admitted) admission.release();
      now += 100;
    }

    const rejected = rejection(limiter.admit(UPDATE));

    expect(rejected?.limit).toBe("endpoint-points");
    expect(rejected?.status).toBe(429);
    expect(rejected?.headers["retry-after"]).toBe("42");
    expect(limiter.admit(READ).admitted).toBe(true);
  });

  it("allows 80 content-creating requests a minute", () => {
    let now = 0;
    const limiter = new GitHubLimiter({ now: () => now });
    for (let index = 0; index < 80; index += 1) {
      const admission = limiter.admit(CREATE);
      if (admission.admitted) admission.release();
      now += 500;
    }

    const rejected = rejection(limiter.admit(CREATE));
    now = 60_001;
    const later = limiter.admit(CREATE);

    expect(rejected?.limit).toBe("content-per-minute");
    expect(rejected?.headers["retry-after"]).toBe("20");
    expect(later.admitted).toBe(true);
  });

  it("allows 500 content-creating requests an hour", () => {
    let now = 0;
    const limiter = new GitHubLimiter({ now: () => now, limits: { pointsPerMinutePerEndpoint: 1_000_000 } });
    for (let index = 0; index < 500; index += 1) {
      const admission = limiter.admit(CREATE);
      if (admission.admitted) admission.release();
      now += 1_000;
    }

    expect(rejection(limiter.admit(CREATE))?.limit).toBe("content-per-hour");
  });
});
