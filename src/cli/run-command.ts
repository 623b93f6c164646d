import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CheckRunView } from "../checks/check-run-view.ts";
import { renderCheckRun } from "../checks/render-check-run.ts";
import { REPO_CONFIG_PATH } from "../config/load-repo-config.ts";
import { buildCostReport } from "../cost/cost-report.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import { PaddockError } from "../errors.ts";
import { readLogMaxBytes } from "../providers/local/capped-log.ts";
import { prepareStateDir, prepareStateFolder } from "../service/prepare-state-dir.ts";
import { runLocalPipeline } from "../service/run-local-pipeline.ts";
import { describeMissingConfig } from "../service/run-pull-request.ts";
import { HELP_OPTION, printUsage, type CliIo } from "./cli-io.ts";
import { createCliLogger } from "./cli-logger.ts";
import { readConfigFlag, readPolicyFlag, readPullRequestPayload } from "./read-inputs.ts";
import { resolveCommit } from "./resolve-git-ref.ts";

export const RUN_USAGE =
  "paddock run --event NAME --payload FILE --repo DIR [--ref REV] [--config FILE] [--org-policy FILE] [--state-dir DIR] [--json] [--unsandboxed]";

/**
 * Runs the pipeline for an event on a local git repository with the local provider and prints
 * the check run Paddock would post. Exits 0 when the conclusion is success or neutral, else 1.
 */
export async function runRunCommand(options: { args: string[]; io: CliIo }): Promise<number> {
  const { io } = options;
  const { values } = parseArgs({
    args: options.args,
    options: {
      event: { type: "string" },
      payload: { type: "string" },
      repo: { type: "string" },
      ref: { type: "string" },
      config: { type: "string" },
      "org-policy": { type: "string" },
      "state-dir": { type: "string" },
      json: { type: "boolean", default: false },
      unsandboxed: { type: "boolean", default: false },
      ...HELP_OPTION,
    },
    strict: true,
  });
  if (values.help) return printUsage({ io, usage: [RUN_USAGE] });
  if (!values.event || !values.payload || !values.repo) {
    throw new PaddockError("USAGE", "run needs --event, --payload and --repo", { hint: `usage: ${RUN_USAGE}` });
  }

  // 1. Inputs: event, config, policy and the commit to build.
  const repositoryDir = resolve(io.cwd, values.repo);
  const event = readPullRequestPayload({ event: values.event, path: values.payload, cwd: io.cwd });
  if (event.action === "closed") {
    throw new PaddockError("USAGE", `--payload ${values.payload} is a closed pull request, which tears environments down`, {
      hint: "pass an opened, reopened or synchronize payload to build",
    });
  }
  await checkRepositoryDir({ flagValue: values.repo, repositoryDir });
  if (values.config === undefined && !existsSync(join(repositoryDir, REPO_CONFIG_PATH))) {
    // The app posts a neutral check run for a repository without config, so run reports the same.
    const { sha } = await chooseCommit({ repositoryDir, ref: values.ref, payloadSha: event.pullRequest.headSha });
    const environmentName = nameEnvironment({ repositoryName: event.repository.name, key: { repositoryId: event.repository.id, pullRequest: event.pullRequest.number } });
    const view: CheckRunView = { environmentName, headSha: sha, provider: "local", steps: [], configProblems: [], ...describeMissingConfig() };
    printCheckRun({ io, view, json: values.json });
    return 0;
  }
  const config = values.config
    ? readConfigFlag({ path: values.config, cwd: io.cwd })
    : readConfigFlag({ path: join(repositoryDir, REPO_CONFIG_PATH), cwd: io.cwd, label: REPO_CONFIG_PATH, within: repositoryDir });
  const { policy, source: policySource } = readPolicyFlag({ path: values["org-policy"], cwd: io.cwd });
  const logMaxBytes = readLogMaxBytes(io.env);
  const stateDir = await prepareRunStateDir({ flagValue: values["state-dir"], io });
  const { sha, note } = await chooseCommit({ repositoryDir, ref: values.ref, payloadSha: event.pullRequest.headSha });

  // 2. Plan and run; Ctrl-C cancels the running step.
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort(new Error("Cancelled: interrupted"));
  process.once("SIGINT", onInterrupt);
  const reportProgress = createProgressReporter(io);
  let view: CheckRunView;
  try {
    view = await runLocalPipeline({
      event,
      config,
      policy,
      policySource,
      repositoryDir,
      sha,
      stateDir,
      sandbox: values.unsandboxed ? "none" : "bwrap",
      logMaxBytes,
      notes: note ? [note] : [],
      signal: controller.signal,
      logger: createCliLogger({ io, level: io.env.LOG_LEVEL ?? "warn" }),
      onProgress: async (progress) => reportProgress(progress),
    });
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  // The pipeline returns the last step's outcome instead of reporting it as progress.
  reportProgress(view);

  // 3. Print what the check run would show.
  printCheckRun({ io, view, json: values.json });
  return view.conclusion === "success" || view.conclusion === "neutral" ? 0 : 1;
}

/** Creates the state folder that --state-dir names, else PADDOCK_STATE_DIR, with the app's checks and errors. */
async function prepareRunStateDir(options: { flagValue: string | undefined; io: CliIo }): Promise<string> {
  const { flagValue, io } = options;
  if (flagValue === undefined) return prepareStateDir(io.env, io.cwd);
  const hint = "pass a folder Paddock can create and write, or leave the flag out for PADDOCK_STATE_DIR or .paddock in the working folder";
  return prepareStateFolder({ label: `--state-dir ${flagValue}`, path: resolve(io.cwd, flagValue), hint });
}

async function chooseCommit(options: { repositoryDir: string; ref: string | undefined; payloadSha: string }): Promise<{ sha: string; note?: string }> {
  const { repositoryDir, ref, payloadSha } = options;
  if (ref !== undefined) {
    const sha = await resolveCommit({ repositoryDir, revision: ref });
    if (!sha) throw new PaddockError("USAGE", `--ref ${ref} is not a commit in ${repositoryDir}`, { hint: "pass a branch, tag or SHA that exists there" });
    return { sha };
  }
  const fromPayload = await resolveCommit({ repositoryDir, revision: payloadSha });
  if (fromPayload) return { sha: fromPayload };
  const head = await resolveCommit({ repositoryDir, revision: "HEAD" });
  if (!head) throw new PaddockError("USAGE", `--repo ${repositoryDir} is not a git repository with a commit`, { hint: "pass a git checkout" });
  return { sha: head, note: `The payload's head commit ${payloadSha.slice(0, 7)} is not in ${repositoryDir}, so HEAD (${head.slice(0, 7)}) was built; pass --ref to choose.` };
}

/** Prints the check run as markdown, or with `json` as its fields plus the exact `cost` report. */
function printCheckRun(options: { io: CliIo; view: CheckRunView; json: boolean }): void {
  const { io, view } = options;
  const rendered = renderCheckRun(view);
  const cost = buildCostReport({ cost: view.cost, budgetProjection: view.decision?.budgetProjection });
  if (options.json) io.stdout(`${JSON.stringify({ ...rendered, cost }, null, 2)}\n`);
  else io.stdout(`# ${rendered.title}\n\nConclusion: ${view.conclusion}\n\n${rendered.summary}\n\n${rendered.text ?? ""}\n`);
}

/** Checks that `--repo` is a git repository with a commit, so each problem is reported against `--repo`. */
async function checkRepositoryDir(options: { flagValue: string; repositoryDir: string }): Promise<void> {
  const { flagValue, repositoryDir } = options;
  if (!existsSync(repositoryDir) || !statSync(repositoryDir).isDirectory()) {
    throw new PaddockError("USAGE", `--repo ${flagValue}: folder not found`, { hint: "pass the folder of a git checkout" });
  }
  if (!(await resolveCommit({ repositoryDir, revision: "HEAD" }))) {
    throw new PaddockError("USAGE", `--repo ${flagValue} is not a git repository with a commit`, { hint: "pass the folder of a git checkout" });
  }
}

/**
 * Returns a function that writes one `paddock: service NAME STATUS` or `paddock: step NAME STATUS`
 * line for each status it has not written yet, so a wait for a service is not silent.
 */
function createProgressReporter(io: CliIo): (view: CheckRunView) => void {
  const written = new Map<string, string>();
  const report = (kind: "service" | "step", name: string, status: string): void => {
    const key = `${kind} ${name}`;
    if (written.get(key) === status) return;
    written.set(key, status);
    io.stderr(`paddock: ${key} ${status}\n`);
  };
  return (view) => {
    for (const service of view.services ?? []) report("service", service.name, service.status);
    for (const step of view.steps) {
      if (step.status !== "queued") report("step", step.name, step.status);
    }
  };
}
