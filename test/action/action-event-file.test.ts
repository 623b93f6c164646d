import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const HINT = "run the Action in a GitHub Actions workflow, which writes the event file";

/**
 * Runs action/main.ts in its own process, because @actions/github parses the event file when it
 * is loaded, and a crash there happens before any code of the test process could catch it.
 */
function runActionEntry(eventPath: string) {
  const runnerDir = mkdtempSync(join(tmpdir(), "paddock-event-file-"));
  const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "action/main.ts")], {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: join(runnerDir, "output"),
      GITHUB_WORKSPACE: runnerDir,
      RUNNER_TEMP: runnerDir,
      INPUT_COMMAND: "up",
      "INPUT_GITHUB-TOKEN": "test-token",
    },
  });
  return { runnerDir, ...result };
}

function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
}

describe("Action event file", () => {
  it("reports invalid JSON without a stack", () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-event-"));
    const eventPath = join(folder, "event.json");
    writeFileSync(eventPath, "{broken");

    const result = runActionEntry(eventPath);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`::add-mask::test-token\n::error::GITHUB_EVENT_PATH=${eventPath}: the event is not valid JSON (${jsonParseMessage("{broken")}). ${HINT}\n`);
  });

  it("reports a missing file as not found", () => {
    const eventPath = join(tmpdir(), "paddock-no-such-folder", "event.json");

    const result = runActionEntry(eventPath);

    expect(result.status).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`::add-mask::test-token\n::error::GITHUB_EVENT_PATH=${eventPath}: file not found. ${HINT}\n`);
  });

  it("reports a folder as a folder", () => {
    const folder = mkdtempSync(join(tmpdir(), "paddock-event-"));
    mkdirSync(join(folder, "event.json"));

    const result = runActionEntry(join(folder, "event.json"));

    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`::add-mask::test-token\n::error::GITHUB_EVENT_PATH=${join(folder, "event.json")}: is a folder, not a file. ${HINT}\n`);
  });
});
