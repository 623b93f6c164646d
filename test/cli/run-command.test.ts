import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSampleRepository, FAILING_TEST_LINE } from "../support/sample-repository.ts";
import { loadWebhookExample } from "../support/webhook-examples.ts";
import type { CostReport } from "../../src/cost/cost-report.ts";
import { runCli } from "./cli-harness.ts";

// The sample config's 1 CPU and 1 GiB for its 2 h TTL at OpenCost's default prices: 2 × 0.031611 + 2 × 0.004237.
const BUDGET_PROJECTION = "0.071696000";

function writePayload(): string {
  const directory = mkdtempSync(join(tmpdir(), "paddock-run-"));
  writeFileSync(join(directory, "event.json"), JSON.stringify(loadWebhookExample({ name: "pull_request", action: "opened" })));
  return directory;
}

describe("paddock run", () => {
  it("builds and tests a local repository in the sandbox", async () => {
    const sample = createSampleRepository();
    const cwd = writePayload();
    const stateDir = join(cwd, "state");

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", stateDir, "--json"], { cwd });

    expect(result.code).toBe(1);
    const rendered = JSON.parse(result.stdout);
    expect(rendered.conclusion).toBe("failure");
    expect(rendered.title).toBe("1 of 2 steps passed · 1 test failed");
    expect(rendered.annotations).toEqual([
      expect.objectContaining({ path: "test/math.test.js", start_line: FAILING_TEST_LINE, end_line: FAILING_TEST_LINE, annotation_level: "failure", title: "multiplies" }),
    ]);
    expect(rendered.summary).toContain(`The payload's head commit`);
    expect(result.stderr.split("\n").filter((line) => line.startsWith("paddock: step "))).toEqual([
      "paddock: step build running",
      "paddock: step build success",
      "paddock: step test running",
      "paddock: step test failure",
    ]);
  });

  it("prints markdown and exits 0 on success", async () => {
    const sample = createSampleRepository({ files: { "test/math.test.js": 'require("node:test")("ok", () => {});\n' } });
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--ref", "HEAD", "--state-dir", join(cwd, "state")], { cwd });

    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 3)).toEqual(["# 2 of 2 steps passed · 1 test passed", "", "Conclusion: success"]);
    expect(result.stderr).toBe("paddock: step build running\npaddock: step build success\npaddock: step test running\npaddock: step test success\n");
  });

  it("prices steps with the org policy", async () => {
    const sample = createSampleRepository({ files: { "test/math.test.js": 'require("node:test")("ok", () => {});\n' } });
    const cwd = writePayload();
    writeFileSync(join(cwd, "policy.yml"), 'cost:\n  currency: EUR\n  prices: { cpuCoreHour: "31.611", memoryGiBHour: "4.237", gpuHour: "950", storageGiBMonth: "40" }\n');

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--ref", "HEAD", "--state-dir", join(cwd, "state"), "--org-policy", "policy.yml"], { cwd });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("**Cost** in EUR, prices from org policy, rounded to 4 decimals (totals add the exact amounts):");
    expect(result.stdout).not.toContain("OpenCost");
  });

  it("prints the exact cost with --json", async () => {
    const sample = createSampleRepository({ files: { "test/math.test.js": 'require("node:test")("ok", () => {});\n' } });
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--ref", "HEAD", "--state-dir", join(cwd, "state"), "--json"], { cwd });
    const { cost } = JSON.parse(result.stdout) as { cost: CostReport };
    const nanos = (amount: string) => BigInt(amount.replace(".", ""));

    expect(result.code).toBe(0);
    expect(Object.keys(cost)).toEqual(["currency", "priceSource", "steps", "services", "totalSoFar", "totalAtExpiry", "expiresAt", "budgetProjection"]);
    expect(cost.currency).toBe("USD");
    expect(cost.priceSource).toBe("OpenCost on-premises defaults");
    expect(cost.steps.map((step) => [step.name, step.method, step.detail])).toEqual([
      ["build", "measured", null],
      ["test", "measured", null],
    ]);
    for (const amount of [...cost.steps.map((step) => step.amount), cost.totalSoFar, cost.totalAtExpiry, cost.budgetProjection]) expect(amount).toMatch(/^\d+\.\d{9}$/);
    expect(nanos(cost.totalSoFar)).toBe(cost.steps.reduce((sum, step) => sum + nanos(step.amount), 0n));
    expect(cost.services).toEqual([]);
    expect(cost.totalAtExpiry).toBe(cost.totalSoFar);
    expect(cost.budgetProjection).toBe(BUDGET_PROJECTION);
    expect(cost.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("treats an empty PADDOCK_STATE_DIR as unset", async () => {
    const sample = createSampleRepository({ files: { "test/math.test.js": 'require("node:test")("ok", () => {});\n' } });
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--ref", "HEAD"], { cwd, env: { PADDOCK_STATE_DIR: "" } });

    expect(result.code).toBe(0);
    expect(readdirSync(cwd).sort()).toEqual([".paddock", "event.json"]);
  });

  it("reports a skipped step after a failed one", async () => {
    const sample = createSampleRepository({ files: { "build.js": "process.exit(3);\n" } });
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--ref", "HEAD", "--state-dir", join(cwd, "state")], { cwd });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("paddock: step build running\npaddock: step build failure\npaddock: step test skipped\n");
  });

  it("exits 2 for a --repo folder that is not a git repository", async () => {
    const cwd = writePayload();
    const folder = mkdtempSync(join(tmpdir(), "paddock-not-git-"));

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", folder], { cwd });

    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`paddock: --repo ${folder} is not a git repository with a commit. pass the folder of a git checkout\n`);
    expect(result.code).toBe(2);
  });

  it("exits 2 for an invalid PADDOCK_LOG_MAX_BYTES", async () => {
    const sample = createSampleRepository();
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", join(cwd, "state")], {
      cwd,
      env: { PADDOCK_LOG_MAX_BYTES: "10MiB" },
    });

    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "paddock: PADDOCK_LOG_MAX_BYTES=10MiB is invalid. set a whole number of bytes from 1024 to 1073741824, or leave it unset for the default 10485760 (10 MiB)\n",
    );
    expect(result.code).toBe(2);
  });

  it("exits 2 for a --repo folder that does not exist", async () => {
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", "no-such-folder"], { cwd });

    expect(result.stderr).toBe("paddock: --repo no-such-folder: folder not found. pass the folder of a git checkout\n");
    expect(result.code).toBe(2);
  });

  it("rejects a linked config file", async () => {
    const sample = createSampleRepository();
    const cwd = writePayload();
    const secret = join(cwd, "secret.txt");
    writeFileSync(secret, "canary-token-4711: yes\n");
    rmSync(join(sample.directory, ".github", "paddock.yml"));
    symlinkSync(secret, join(sample.directory, ".github", "paddock.yml"));

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", join(cwd, "state")], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`paddock: --config ${join(sample.directory, ".github", "paddock.yml")} is a symbolic link. commit the config as a regular file; Paddock reads no link in the checkout\n`);
    expect(result.stdout).not.toContain("canary-token-4711");
  });

  it("rejects a config under a linked folder", async () => {
    const sample = createSampleRepository();
    const cwd = writePayload();
    const outside = mkdtempSync(join(tmpdir(), "paddock-outside-"));
    writeFileSync(join(outside, "paddock.yml"), "canary-token-4712: yes\n");
    rmSync(join(sample.directory, ".github"), { recursive: true });
    symlinkSync(outside, join(sample.directory, ".github"));

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", join(cwd, "state")], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`paddock: --config ${join(sample.directory, ".github", "paddock.yml")} resolves outside the checkout. commit the config as a regular file inside the repository, not under a linked folder\n`);
  });

  it("exits 0 neutral without the config file", async () => {
    const sample = createSampleRepository();
    rmSync(join(sample.directory, ".github/paddock.yml"));
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--json"], { cwd });
    const rendered = JSON.parse(result.stdout) as { title: string; conclusion: string; cost: unknown };

    expect(result.stderr).toBe("");
    expect(rendered.cost).toBeNull();
    expect(rendered.conclusion).toBe("neutral");
    expect(rendered.title).toBe("No Paddock config: add .github/paddock.yml to this repository to get an environment for each pull request");
    expect(result.code).toBe(0);
  });

  it("exits 2 for a ref that is not in the repository", async () => {
    const sample = createSampleRepository();
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--ref", "no-such-branch"], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`paddock: --ref no-such-branch is not a commit in ${sample.directory}. pass a branch, tag or SHA that exists there\n`);
  });

  it("exits 2 for a closed pull request payload", async () => {
    const sample = createSampleRepository();
    const cwd = mkdtempSync(join(tmpdir(), "paddock-run-"));
    writeFileSync(join(cwd, "closed.json"), JSON.stringify(loadWebhookExample({ name: "pull_request", action: "closed" })));

    const result = await runCli(["run", "--event", "pull_request", "--payload", "closed.json", "--repo", sample.directory], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe("paddock: --payload closed.json is a closed pull request, which tears environments down. pass an opened, reopened or synchronize payload to build\n");
  });

  it("runs as the installed bin", () => {
    const cwd = writePayload();
    const sample = createSampleRepository();
    execFileSync("git", ["-C", sample.directory, "rev-parse", "HEAD"]);
    const bin = join(import.meta.dirname, "../../bin/paddock.js");

    const result = spawnSync(process.execPath, [bin, "plan", "--event", "pull_request", "--payload", "event.json", "--config", join(sample.directory, ".github/paddock.yml")], { cwd, encoding: "utf8" });

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).steps.map((step: { name: string }) => step.name)).toEqual(["build", "test"]);
  });
});
