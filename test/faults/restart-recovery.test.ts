import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { INTERRUPTED_HEADLINE } from "../../src/service/recover-runs.ts";
import { WIDGETS, deliverPullRequest, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { spawnPaddock, type PaddockProcess } from "./support/spawn-paddock.ts";

const ENVIRONMENT = nameEnvironment({ repositoryName: WIDGETS.repo, key: { repositoryId: WIDGETS.repositoryId, pullRequest: 7 } });

let github: LoopbackGitHub;
let stateDir: string;
let marker: string;
const started: PaddockProcess[] = [];

beforeEach(async () => {
  github = await startLoopbackGitHub();
  stateDir = mkdtempSync(join(tmpdir(), "paddock-restart-"));
  // Written into the step command, so the step's processes can be found by their command line.
  marker = `paddock-marker-${randomUUID()}`;
});

afterEach(async () => {
  for (const paddock of started.splice(0)) {
    paddock.child.kill("SIGKILL");
    await paddock.exited;
  }
  killProcessesWith(marker);
  await github.close();
  github.assertNoViolations();
});

/** Returns the pids of processes whose command line contains `text`. */
function findProcessesWith(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// Only the processes of this test's own step carry its marker.
function killProcessesWith(text: string): void {
  for (const pid of findProcessesWith(text)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

async function waitFor<T>(read: () => T, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after 20 s waiting for ${what}`);
}

/** Starts Paddock, runs a step that sleeps, kills Paddock with SIGKILL once the step's processes run, and returns the commit. */
async function killMidPipeline(sandbox: "bwrap" | "none"): Promise<string> {
  // The inner shell waits for sleep, so a process with the marker in its command line lives as long as the step.
  const config = `steps:\n  - name: slow\n    run: touch started && sh -c 'sleep 600; true' ${marker}\n    timeout: 15m\n`;
  const { sha } = serveWidgets(github, { ".github/paddock.yml": config });
  const first = await spawnPaddock({ baseUrl: github.baseUrl, stateDir, sandbox });
  started.push(first);

  await deliverPullRequest({ github, app: first, spec: { headSha: sha }, id: "delivery-before-kill" });
  await waitFor(() => existsSync(join(stateDir, "environments", ENVIRONMENT, "checkouts", sha, "started")), Boolean, "the step to start");
  await waitFor(() => findProcessesWith(marker), (pids) => pids.length > 0, "the step's processes");
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");
  return sha;
}

describe("Paddock killed mid-pipeline", () => {
  it("takes the bubblewrap sandbox down with it", async () => {
    const sha = await killMidPipeline("bwrap");

    const left = await waitFor(() => findProcessesWith(marker), (pids) => pids.length === 0, "the sandbox to exit");
    const record = JSON.parse(readFileSync(join(stateDir, "environments", ENVIRONMENT, "environment.json"), "utf8")) as { sha: string };

    expect(left).toEqual([]);
    expect(record.sha).toBe(sha);
  });

  it("finds the environment in its state folder after a restart", async () => {
    await killMidPipeline("bwrap");

    const second = await spawnPaddock({ baseUrl: github.baseUrl, stateDir });
    started.push(second);
    const sweep = await waitFor(() => second.logs.find((line) => line.msg === "sweep finished"), (line) => line !== undefined, "the start-up sweep");

    expect(sweep).toMatchObject({ listed: 1, removed: 0, skipped: 0 });
    expect(existsSync(join(stateDir, "environments", ENVIRONMENT))).toBe(true);
  });

  it("tears the found environment down when its pull request closes", async () => {
    const sha = await killMidPipeline("bwrap");
    const second = await spawnPaddock({ baseUrl: github.baseUrl, stateDir });
    started.push(second);

    await deliverPullRequest({ github, app: second, spec: { headSha: sha, action: "closed" }, id: "delivery-after-restart" });
    await waitFor(() => existsSync(join(stateDir, "environments", ENVIRONMENT)), (exists) => !exists, "the teardown");

    expect(readdirSync(join(stateDir, "environments"))).toEqual([]);
  });

  it("cancels the interrupted check run after a restart", async () => {
    const sha = await killMidPipeline("bwrap");
    const second = await spawnPaddock({ baseUrl: github.baseUrl, stateDir });
    started.push(second);
    await waitFor(() => second.logs.some((line) => line.msg === "sweep finished"), Boolean, "the start-up sweep");

    const runs = github.checkRuns();
    expect(runs.map((run) => [run.head_sha, run.status, run.conclusion])).toEqual([[sha, "completed", "cancelled"]]);
    expect(runs[0]?.output.summary).toContain(INTERRUPTED_HEADLINE);
  });

  it("takes an unsandboxed step down with it", async () => {
    // With PADDOCK_SANDBOX=none, setpriv's parent-death signal reaches the step's guard, which kills the step's process group.
    await killMidPipeline("none");

    const left = await waitFor(() => findProcessesWith(marker), (pids) => pids.length === 0, "the step's processes to exit");

    expect(left).toEqual([]);
  });
});
