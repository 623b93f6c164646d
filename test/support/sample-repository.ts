import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The config the sample repository carries: a build step, then tests that write JUnit XML. */
export const SAMPLE_CONFIG = [
  "environment:",
  '  resources: { cpu: "1", memory: 1Gi }',
  "  ttl: 2h",
  "steps:",
  "  - name: build",
  "    image: node:24",
  "    run: npm run build",
  "    timeout: 2m",
  "  - name: test",
  "    image: node:24",
  "    run: npm test",
  "    timeout: 2m",
  "    junit: reports/junit.xml",
  "",
].join("\n");

/** Line of the failing assertion in test/math.test.js. */
export const FAILING_TEST_LINE = 9;

const FILES: Record<string, string> = {
  "package.json": JSON.stringify(
    {
      name: "sample",
      private: true,
      scripts: {
        build: "node build.js",
        test: "mkdir -p reports && node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml",
      },
    },
    null,
    2,
  ),
  "build.js": 'require("node:fs").mkdirSync("dist", { recursive: true });\nrequire("node:fs").writeFileSync("dist/out.txt", "built\\n");\nconsole.log("build done");\n',
  "test/math.test.js": [
    'const test = require("node:test");',
    'const assert = require("node:assert");',
    "",
    'test("adds", () => {',
    "  assert.strictEqual(1 + 1, 2);",
    "});",
    "",
    'test("multiplies", () => {',
    "  assert.strictEqual(2 * 3, 7);",
    "});",
    "",
  ].join("\n"),
  ".github/paddock.yml": SAMPLE_CONFIG,
};

/**
 * Creates a small real repository in a temporary folder: a package whose build writes a file and
 * whose tests (one passing, one failing) write JUnit XML. It is a git repository with one commit.
 */
export function createSampleRepository(options: { files?: Record<string, string> } = {}): { directory: string; sha: string } {
  const directory = mkdtempSync(join(tmpdir(), "paddock-sample-"));
  for (const [path, content] of Object.entries({ ...FILES, ...options.files })) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", directory, "-c", "user.name=Paddock Test", "-c", "user.email=test@example.invalid", ...args], { encoding: "utf8" }).trim();
  git("init", "--quiet", "--initial-branch=main");
  git("add", "--all");
  git("commit", "--quiet", "--message", "Sample repository");
  return { directory, sha: git("rev-parse", "HEAD") };
}
