import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PaddockError } from "../errors.ts";

const execFileAsync = promisify(execFile);

/** Resolves a revision to a full commit SHA in a local repository; undefined when it is not there. */
export async function resolveCommit(options: { repositoryDir: string; revision: string }): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync("git", ["-C", options.repositoryDir, "rev-parse", "--verify", "--quiet", `${options.revision}^{commit}`]);
    return stdout.trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new PaddockError("USAGE", "git is not installed", { hint: "install git (apt-get install git)", cause: error });
    }
    return undefined;
  }
}
