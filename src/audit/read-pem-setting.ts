import { resolve } from "node:path";
import { describeReadFailure } from "../describe-read-failure.ts";
import { PaddockError } from "../errors.ts";
import { MAX_SETTING_FILE_BYTES, readBoundedFile } from "../read-bounded-file.ts";

/** Start of every PEM block; a setting whose value starts with it contains the key itself. */
const PEM_PREFIX = "-----BEGIN";

/** A PEM key read from a setting, with a label that names the setting but never the key material. */
export interface PemSetting {
  pem: string;
  /** `NAME (PEM text)`, or `NAME=path` when the value was a path. */
  label: string;
}

/**
 * Reads a setting that contains either PEM text (detected by its `-----BEGIN` prefix, after
 * leading whitespace) or the path of a PEM file, relative to `cwd`, that must be a regular file
 * of at most MAX_SETTING_FILE_BYTES. Errors name the setting,
 * and the path when there is one, but never echo PEM text, which may be a private key. With
 * `secret`, a value that names no readable file is not echoed either, because it may be key
 * text without its PEM lines.
 */
export function readPemSetting(options: { name: string; value: string; cwd: string; hint: string; secret?: boolean }): PemSetting {
  const { name, value, cwd, hint } = options;
  if (value.trimStart().startsWith(PEM_PREFIX)) return { pem: value, label: `${name} (PEM text)` };

  // A value with a newline or a PEM boundary is broken key text, not a path, so it is not echoed.
  if (value.includes("\n") || value.includes("-----")) {
    throw new PaddockError("USAGE", `${name} is neither PEM text starting with ${PEM_PREFIX} nor a file path`, { hint });
  }
  const label = `${name}=${value}`;
  try {
    return { pem: readBoundedFile({ path: resolve(cwd, value), maxBytes: MAX_SETTING_FILE_BYTES }), label };
  } catch (error) {
    const named = options.secret ? `${name} (value not shown)` : label;
    throw new PaddockError("USAGE", `${named}: ${describeReadFailure(error)}`, { hint, cause: error });
  }
}

/** Parses the setting's PEM with `load`, and prefixes a parse error with the setting's label so the operator knows which value to fix. */
export function loadPemSettingKey<T>(setting: PemSetting, load: (pem: string) => T): T {
  try {
    return load(setting.pem);
  } catch (error) {
    if (error instanceof PaddockError) throw new PaddockError(error.code, `${setting.label}: ${error.message}`, { cause: error });
    throw error;
  }
}
