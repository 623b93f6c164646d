import { PaddockError } from "../../errors.ts";

/** Directories every step finds on PATH after the Node directory. */
export const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Builds the complete environment of a step: PATH with the Node directory first, HOME=/tmp,
 * CI=true, PADDOCK=1, then the step's own variables, which may override any of these.
 * Nothing is inherited from the host process.
 */
export function buildStepEnv(options: { nodeDirectory: string; stepEnv: Record<string, string> }): Record<string, string> {
  const pathEntries = [options.nodeDirectory, ...SYSTEM_PATH.filter((entry) => entry !== options.nodeDirectory)];
  const env: Record<string, string> = { PATH: pathEntries.join(":"), HOME: "/tmp", CI: "true", PADDOCK: "1" };

  for (const [name, value] of Object.entries(options.stepEnv)) {
    if (!ENV_NAME.test(name)) {
      throw new PaddockError("CONFIG_INVALID", `step environment variable name ${JSON.stringify(name)} is invalid`, {
        hint: "Use letters, digits and underscores, not starting with a digit",
      });
    }
    if (value.includes("\0")) {
      throw new PaddockError("CONFIG_INVALID", `step environment variable ${name} contains a NUL character`, {
        hint: "Remove the NUL character from the value",
      });
    }
    env[name] = value;
  }
  return env;
}
