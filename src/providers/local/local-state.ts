import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";

import { PaddockError } from "../../errors.ts";
import type { EnvironmentSpec } from "../provider.ts";

/** DNS-1123 label, the same rule Kubernetes applies to namespace names. */
const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A commit SHA, full or abbreviated; it becomes a directory name, so nothing else is accepted. */
const COMMIT_SHA = /^[0-9a-f]{4,64}$/;

/** Record of one environment, stored in its `environment.json`. */
export interface LocalEnvironmentRecord {
  environment: EnvironmentSpec;
  /** Head commit of the current checkout. */
  sha: string;
  /** Absolute path of the current checkout. */
  location: string;
  createdAt: string;
  updatedAt: string;
  /** `updatedAt` plus the environment's `ttlSeconds`. */
  expiresAt: string;
}

/**
 * Paths of the local provider's state directory:
 * `environments/<name>/environment.json`, `checkouts/<sha>/`, `logs/<sha>/<step>.log` and
 * `logs/<sha>/services/<service>.log`.
 */
export class LocalStateLayout {
  readonly stateDir: string;

  constructor(stateDir: string) {
    this.stateDir = path.resolve(stateDir);
  }

  get environmentsDir(): string {
    return path.join(this.stateDir, "environments");
  }

  environmentDir(name: string): string {
    assertEnvironmentName(name);
    return path.join(this.environmentsDir, name);
  }

  recordPath(name: string): string {
    return path.join(this.environmentDir(name), "environment.json");
  }

  checkoutsDir(name: string): string {
    return path.join(this.environmentDir(name), "checkouts");
  }

  checkoutDir(name: string, sha: string): string {
    assertCommitSha(sha);
    return path.join(this.checkoutsDir(name), sha);
  }

  /** Log file of one step; a step name that is not a safe file name gets a hash suffix to stay unique. */
  logPath(name: string, sha: string, stepName: string): string {
    assertCommitSha(sha);
    const safe = stepName.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^\.+/, "_").slice(0, 100);
    const fileName = safe === stepName ? safe : `${safe}-${createHash("sha256").update(stepName).digest("hex").slice(0, 8)}`;
    return path.join(this.environmentDir(name), "logs", sha, `${fileName}.log`);
  }

  /** Log file of one service; service names are DNS labels, so they are safe file names. */
  serviceLogPath(name: string, sha: string, serviceName: string): string {
    assertCommitSha(sha);
    assertEnvironmentName(serviceName);
    return path.join(this.environmentDir(name), "logs", sha, "services", `${serviceName}.log`);
  }

  /** Writes the record through a temporary file and a rename, so readers never see half a file. */
  async writeRecord(record: LocalEnvironmentRecord): Promise<void> {
    const target = this.recordPath(record.environment.name);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
    await rename(temporary, target);
  }

  /** Reads one record; undefined when the environment has none. */
  async readRecord(name: string): Promise<LocalEnvironmentRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.recordPath(name), "utf8")) as LocalEnvironmentRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Names of the environment folders, sorted. */
  async listEnvironmentNames(): Promise<string[]> {
    try {
      const entries = await readdir(this.environmentsDir, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory() && ENVIRONMENT_NAME.test(entry.name)).map((entry) => entry.name).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }
}

/** Throws `USAGE` unless `name` is a DNS-1123 label (this also keeps it a single path segment). */
export function assertEnvironmentName(name: string): void {
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new PaddockError("USAGE", `environment name ${JSON.stringify(name)} is invalid`, {
      hint: "Use a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit",
    });
  }
}

/** Throws `USAGE` unless `sha` is 4 to 64 lowercase hexadecimal digits. */
export function assertCommitSha(sha: string): void {
  if (!COMMIT_SHA.test(sha)) {
    throw new PaddockError("USAGE", `commit SHA ${JSON.stringify(sha)} is invalid`, {
      hint: "Pass the commit's SHA as 4 to 64 lowercase hexadecimal digits",
    });
  }
}
