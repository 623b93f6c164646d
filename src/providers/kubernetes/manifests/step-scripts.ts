import { JUNIT_SUMMARY_AWK_VARIABLES, summaryProblemJson } from "../junit-summary-awk.ts";

/** Directory of the shared `emptyDir` that contains the checkout, and the step's working directory. */
export const WORKSPACE_PATH = "/workspace";
/** Path of the file that Kubernetes reads a container's termination message from. */
export const TERMINATION_LOG_PATH = "/dev/termination-log";
/** Maximum seconds the source container spends downloading the tarball. */
export const SOURCE_DOWNLOAD_TIMEOUT_SECONDS = 300;

/** Environment variables through which the scripts get their inputs, so no input is spliced into shell code. */
export const SCRIPT_ENV = {
  run: "PADDOCK_STEP_RUN",
  junitPath: "PADDOCK_JUNIT_PATH",
  summaryAwk: "PADDOCK_JUNIT_SUMMARY_AWK",
  sourceUrl: "PADDOCK_SOURCE_URL",
  sourceToken: "PADDOCK_SOURCE_TOKEN",
  workspace: "PADDOCK_WORKSPACE",
  terminationLog: "PADDOCK_TERMINATION_LOG",
} as const;

const shellQuote = (text: string): string => `'${text.replaceAll("'", `'"'"'`)}'`;

/**
 * The source container's script: downloads the commit's gzipped tarball with the token and
 * unpacks its one top-level folder into the workspace. Needs curl and tar in the image.
 */
export const FETCH_SOURCE_SCRIPT = [
  "set -eu",
  `archive="$${SCRIPT_ENV.workspace}/.paddock-source.tar.gz"`,
  `curl --fail --silent --show-error --location --proto '=https' --max-time ${SOURCE_DOWNLOAD_TIMEOUT_SECONDS} ` +
    `--header "Authorization: Bearer $${SCRIPT_ENV.sourceToken}" --output "$archive" "$${SCRIPT_ENV.sourceUrl}"`,
  `tar -xzf "$archive" -C "$${SCRIPT_ENV.workspace}" --strip-components=1`,
  'rm -f "$archive"',
].join("\n");

/**
 * The step container's script: runs the step's command with `/bin/sh -c` in the workspace and
 * keeps its exit code. When the step names a JUnit report, it then writes the report's JSON
 * summary to the termination log, or a summary that states why there is none.
 */
export const STEP_SCRIPT = [
  `cd "$${SCRIPT_ENV.workspace}" || exit 1`,
  `/bin/sh -c "$${SCRIPT_ENV.run}"`,
  "status=$?",
  `if [ -n "\${${SCRIPT_ENV.junitPath}:-}" ]; then`,
  `  if [ ! -f "$${SCRIPT_ENV.junitPath}" ]; then`,
  `    printf '%s' ${shellQuote(summaryProblemJson("the step wrote no JUnit report at the configured path"))} > "$${SCRIPT_ENV.terminationLog}"`,
  "  elif command -v awk >/dev/null 2>&1; then",
  `    LC_ALL=C awk ${JUNIT_SUMMARY_AWK_VARIABLES.map((assignment) => `-v ${assignment}`).join(" ")} "$${SCRIPT_ENV.summaryAwk}" "$${SCRIPT_ENV.junitPath}" > "$${SCRIPT_ENV.terminationLog}"`,
  "  else",
  `    printf '%s' ${shellQuote(summaryProblemJson("the step image has no awk to summarize the JUnit report"))} > "$${SCRIPT_ENV.terminationLog}"`,
  "  fi",
  "fi",
  'exit "$status"',
].join("\n");
