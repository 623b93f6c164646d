import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PaddockError } from "../errors.ts";
import { prepareStateFolder, rejectKernelFileSystem } from "../service/prepare-state-dir.ts";

const HINT = "set RUNNER_TEMP to an existing folder the step can write, or leave it unset; GitHub's runner sets it to the job's temporary folder";

/** The runner's temporary folder and the Action's state folder inside it. */
export interface RunnerTemp {
  /** RUNNER_TEMP, or the system's temporary folder when it is unset or empty; the kubeconfig input is written here. */
  runnerTemp: string;
  /** `paddock` under runnerTemp: the local provider's environments, the spend ledger and the audit spool. */
  stateDir: string;
}

/**
 * Checks RUNNER_TEMP and creates the state folder in it. RUNNER_TEMP must already exist, because
 * the runner creates it; a path under /proc or /sys is rejected before anything touches it.
 * Every error names RUNNER_TEMP and its value.
 */
export async function prepareRunnerTemp(env: NodeJS.ProcessEnv): Promise<RunnerTemp> {
  const value = env.RUNNER_TEMP || tmpdir();
  const runnerTemp = resolve(value);
  const label = `RUNNER_TEMP=${value}`;
  rejectKernelFileSystem({ label, path: runnerTemp, hint: HINT });

  try {
    if (!(await stat(runnerTemp)).isDirectory()) throw new PaddockError("USAGE", `${label} is not a folder`, { hint: HINT });
  } catch (error) {
    if (error instanceof PaddockError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "is invalid: folder not found" : `could not be read (${(error as Error).message})`;
    throw new PaddockError("USAGE", `${label} ${reason}`, { hint: HINT, cause: error });
  }

  const stateDir = await prepareStateFolder({ label, path: join(runnerTemp, "paddock"), hint: HINT });
  return { runnerTemp, stateDir };
}
