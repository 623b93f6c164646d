import { lstatSync, realpathSync } from "node:fs";
import { resolve, sep } from "node:path";
import { formatConfigProblem } from "../config/config-problem.ts";
import { readRepoConfig, REPO_CONFIG_PATH } from "../config/load-repo-config.ts";
import type { RepoConfig } from "../config/repo-config-schema.ts";
import { MAX_CONFIG_BYTES } from "../config/parse-config-file.ts";
import { PaddockError } from "../errors.ts";
import { parseWebhookEvent, type PullRequestEvent } from "../github/webhook-event.ts";
import type { LocatedConfig } from "../policy/decide-environment.ts";
import { readOrgPolicy } from "../policy/load-org-policy.ts";
import type { OrgPolicy, PolicySource } from "../policy/org-policy-schema.ts";
import { FileRejectedError, MAX_SETTING_FILE_BYTES, readBoundedFile } from "../read-bounded-file.ts";

/** Maximum size of a --payload file, at least GitHub's cap of 25 MB per webhook payload ("About webhook events and payloads", docs.github.com). */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/**
 * Reads a regular file of at most `maxBytes` (default 1 MiB) for a CLI flag or Action input, or
 * throws a usage error naming the flag and the path. FIFOs, devices and oversized files are
 * rejected before their content is read.
 */
export function readFlagFile(options: { flag: string; path: string; cwd: string; maxBytes?: number; within?: string }): string {
  const absolute = resolve(options.cwd, options.path);
  const maxBytes = options.maxBytes ?? MAX_SETTING_FILE_BYTES;
  if (options.within !== undefined) requireInside({ flag: options.flag, path: options.path, absolute, root: options.within });
  try {
    return readBoundedFile({ path: absolute, maxBytes });
  } catch (error) {
    if (error instanceof FileRejectedError) {
      throw new PaddockError("USAGE", `${options.flag} ${options.path} ${error.message}`, { hint: `pass a regular file of at most ${maxBytes} bytes`, cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EISDIR") throw new PaddockError("USAGE", `${options.flag} ${options.path} is a directory`, { hint: "pass the path of a file", cause: error });
    const reason = code === "ENOENT" ? "not found" : "unreadable";
    throw new PaddockError("USAGE", `${options.flag} ${options.path}: file ${reason}`, { hint: "pass the path of an existing file", cause: error });
  }
}

/**
 * Rejects a file of a checkout that is a symbolic link or resolves outside the checkout. The
 * checkout belongs to the pull request's author, whose link could make Paddock read and quote
 * a file of the host, such as a token in .git/config.
 */
function requireInside(options: { flag: string; path: string; absolute: string; root: string }): void {
  const { flag, path, absolute } = options;
  let real: string;
  try {
    if (lstatSync(absolute).isSymbolicLink()) {
      throw new PaddockError("USAGE", `${flag} ${path} is a symbolic link`, { hint: "commit the config as a regular file; Paddock reads no link in the checkout" });
    }
    real = realpathSync(absolute);
  } catch (error) {
    if (error instanceof PaddockError) throw error;
    // A missing file gets the usual read error.
    return;
  }
  const root = realpathSync(options.root);
  if (real !== root && !real.startsWith(`${root}${sep}`)) {
    throw new PaddockError("USAGE", `${flag} ${path} resolves outside the checkout`, { hint: "commit the config as a regular file inside the repository, not under a linked folder" });
  }
}

/** Reads a webhook payload file and turns it into a pull request event. */
export function readPullRequestPayload(options: { event: string; path: string; cwd: string }): PullRequestEvent {
  const text = readFlagFile({ flag: "--payload", path: options.path, cwd: options.cwd, maxBytes: MAX_PAYLOAD_BYTES });
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new PaddockError("PAYLOAD_INVALID", `--payload ${options.path} is not valid JSON (${(error as Error).message})`, {
      hint: "pass a webhook payload as GitHub sends it",
    });
  }
  if (Array.isArray(payload)) {
    throw new PaddockError("PAYLOAD_INVALID", `--payload ${options.path} is a JSON array, not one webhook payload`, {
      hint: "pass one event object as GitHub sends it, such as a single pull_request example taken out of a list of examples",
    });
  }
  if (typeof payload !== "object" || payload === null) {
    throw new PaddockError("PAYLOAD_INVALID", `--payload ${options.path} is a JSON ${payload === null ? "null" : typeof payload}, not a webhook payload`, {
      hint: "pass one event object as GitHub sends it",
    });
  }
  if (options.event === "push" && "pull_request" in payload) {
    throw new PaddockError("EVENT_UNSUPPORTED", `--event push: --payload ${options.path} is a pull request event, not a push event, and the command line takes pull request events only`, {
      hint: "pass --event pull_request with this payload",
    });
  }
  const parsed = parseWebhookEvent({ name: options.event, id: "cli", payload });
  if (!("event" in parsed)) {
    if (parsed.reason === "invalid") {
      throw new PaddockError("PAYLOAD_INVALID", escapeControlCharacters(parsed.message), { hint: "pass a webhook payload as GitHub sends it" });
    }
    const hint = "pass --event pull_request with a payload whose action is opened, reopened, synchronize or closed";
    throw new PaddockError("EVENT_UNSUPPORTED", escapeControlCharacters(parsed.message), { hint });
  }
  if (parsed.event.kind === "push") {
    throw new PaddockError("EVENT_UNSUPPORTED", `--event push: the GitHub App and the Action build pushes to agent branches, and the command line takes pull request events only`, {
      hint: "to see the plan for the branch's commit under the same org policy, pass --event pull_request with a payload whose pull_request.head.ref is the branch (docs/agent-branches.md)",
    });
  }
  if (parsed.event.kind !== "pull_request") {
    throw new PaddockError("EVENT_UNSUPPORTED", `--event ${options.event}: the command line takes pull request events only`, {
      hint: "pass --event pull_request",
    });
  }
  return parsed.event;
}

/** Reads and validates a repository config file, throwing every problem as one usage error. */
export function readConfigFlag(options: { path: string; cwd: string; label?: string; within?: string }): LocatedConfig<RepoConfig> {
  const text = readFlagFile({ flag: "--config", path: options.path, cwd: options.cwd, maxBytes: MAX_CONFIG_BYTES, ...(options.within === undefined ? {} : { within: options.within }) });
  const lookup = readRepoConfig({ text, file: options.label ?? options.path });
  if (lookup.kind === "valid") return { value: lookup.config, file: lookup.file, locate: lookup.locate };
  const problems = lookup.kind === "invalid" ? lookup.problems : [];
  const fix = problems.some((problem) => problem.field !== "") ? "fix the fields listed above" : "fix the file";
  throw new PaddockError("CONFIG_INVALID", `invalid config ${options.path}:\n${problems.map(formatConfigProblem).join("\n")}`, {
    hint: `${fix} (the JSON Schema in schema/ helps editors); the format is the one of ${REPO_CONFIG_PATH}`,
  });
}

/** Reads an org policy file, or the documented defaults when no path is given. */
export function readPolicyFlag(options: { path: string | undefined; cwd: string }): { policy: OrgPolicy; source: PolicySource } {
  const text = options.path === undefined ? undefined : readFlagFile({ flag: "--org-policy", path: options.path, cwd: options.cwd, maxBytes: MAX_CONFIG_BYTES });
  const lookup = readOrgPolicy({ text, source: { location: options.path ?? "" } });
  if (lookup.kind === "policy") return { policy: lookup.policy, source: lookup.source };
  const problems = lookup.kind === "invalid" ? lookup.problems : [];
  const formatted = problems.map((problem) => formatConfigProblem({ ...problem, file: options.path ?? problem.file }));
  throw new PaddockError("CONFIG_INVALID", `invalid org policy ${options.path}:\n${formatted.join("\n")}`, {
    hint: problems.some((problem) => problem.field !== "") ? "fix the fields listed above" : "fix the file",
  });
}

/** Escapes control characters such as NUL as `\u0000`, as config problems do, so a payload value cannot drive the terminal. */
function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
