import { dirname, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { describeReadFailure } from "../../describe-read-failure.ts";
import { PaddockError } from "../../errors.ts";
import { MAX_SETTING_FILE_BYTES, readBoundedFile } from "../../read-bounded-file.ts";

/** Position and reason of a YAML syntax error, as js-yaml (which the Kubernetes client uses) reports it. */
interface YamlSyntaxError {
  reason?: string;
  mark?: { line: number; column: number };
}

/**
 * Loads the kubeconfig file that the setting `name` gives as `value`, a path relative to the
 * working folder. Every failure names the setting and the path. A FIFO, a device or a file over
 * MAX_SETTING_FILE_BYTES is rejected before it is read. The other failures are a missing or
 * unreadable file, invalid YAML (by line and column, without
 * the file's text, which may contain a token), an invalid kubeconfig, or one without a current
 * cluster. Relative paths inside the file are resolved from the file's folder, as kubectl does.
 */
export function readKubeConfigFile(options: { name: string; value: string }): KubeConfig {
  const { name, value } = options;
  const label = `${name}=${value}`;
  const path = resolve(value);

  let text: string;
  try {
    text = readBoundedFile({ path, maxBytes: MAX_SETTING_FILE_BYTES });
  } catch (error) {
    throw new PaddockError("USAGE", `${label}: ${describeReadFailure(error)}`, { hint: "set it to the path of a readable kubeconfig file (a regular file of at most 1 MiB)", cause: error });
  }

  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
  } catch (error) {
    throw new PaddockError("USAGE", `${label} is not a valid kubeconfig: ${describeKubeConfigError(error)}`, {
      hint: "check it with `kubectl --kubeconfig FILE config view`, or export a new one with `kubectl config view --minify --raw`",
      cause: error,
    });
  }
  if (!kubeConfig.getCurrentCluster()?.server) {
    throw new PaddockError("USAGE", `${label} names no current cluster with a server`, {
      hint: "set current-context to a context whose cluster has a server URL, such as `kubectl --kubeconfig FILE config use-context NAME`",
    });
  }
  kubeConfig.makePathsAbsolute(dirname(path));
  return kubeConfig;
}

/** Describes a kubeconfig parse error without the excerpt of the file that js-yaml adds to its message. */
function describeKubeConfigError(error: unknown): string {
  const { reason, mark } = error as YamlSyntaxError;
  if (reason !== undefined && mark !== undefined) return `invalid YAML at line ${mark.line + 1}, column ${mark.column + 1}: ${reason}`;
  // The client reads `clusters` from whatever the YAML held, so an empty file or a scalar fails with a TypeError.
  if (error instanceof TypeError) return "the file is not a YAML mapping with clusters, contexts and users";
  return error instanceof Error ? error.message : String(error);
}
