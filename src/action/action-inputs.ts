import { parseDurationSeconds } from "../config/units.ts";
import { PaddockError } from "../errors.ts";
import { MAX_LOG_MAX_BYTES, MIN_LOG_MAX_BYTES } from "../providers/local/capped-log.ts";

/** Commands the Action accepts. */
export const ACTION_COMMANDS = ["up", "down", "status", "audit-verify"] as const;

/** A command the Action accepts. */
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** Values a boolean input accepts: the booleans of the YAML 1.2 core schema, as @actions/core's getBooleanInput. */
export const BOOLEAN_INPUT_VALUES = { true: ["true", "True", "TRUE"], false: ["false", "False", "FALSE"] } as const;

/** Longest `timeout`: the longest delay Node's setTimeout accepts (2^31 - 1 ms), rounded down to whole seconds. */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Default path of the repository config in the checkout. */
export const DEFAULT_CONFIG_PATH = ".github/paddock.yml";

/** The Action's inputs, parsed and checked. */
export interface ActionInputs {
  command: ActionCommand;
  githubToken: string | undefined;
  kubeconfig: string | undefined;
  config: string;
  orgPolicy: string | undefined;
  wait: boolean;
  /** Limit on the whole `up`, as written and in seconds; undefined leaves only the steps' own timeouts. */
  timeout: { text: string; seconds: number } | undefined;
  /** Names of the config's steps to run; empty runs them all. */
  steps: string[];
  auditPath: string;
  auditPublicKey: string | undefined;
  /** Maximum bytes of output in each step and service log of the local provider; undefined leaves it to PADDOCK_LOG_MAX_BYTES. */
  logMaxBytes: number | undefined;
}

/**
 * Reads and checks every input. Empty inputs take the defaults action.yml declares, so a
 * step run without action.yml (as in tests) behaves the same. Throws a USAGE error naming the
 * input on the first invalid value.
 */
export function readActionInputs(getInput: (name: string) => string): ActionInputs {
  const optional = (name: string): string | undefined => getInput(name) || undefined;
  return {
    command: parseCommandInput(getInput("command") || "up"),
    githubToken: optional("github-token"),
    kubeconfig: optional("kubeconfig"),
    config: getInput("config") || DEFAULT_CONFIG_PATH,
    orgPolicy: optional("org-policy"),
    wait: parseBooleanInput({ name: "wait", value: getInput("wait") || "true" }),
    timeout: readTimeout(getInput("timeout")),
    steps: parseMultilineInput(getInput("steps")),
    auditPath: getInput("audit-path") || ".",
    auditPublicKey: optional("audit-public-key"),
    logMaxBytes: parseLogMaxBytesInput(getInput("log-max-bytes")),
  };
}

function readTimeout(text: string): ActionInputs["timeout"] {
  const seconds = parseDurationInput({ name: "timeout", value: text });
  return seconds === undefined ? undefined : { text, seconds };
}

/** Parses the `command` input, naming the accepted commands when the value is not one of them. */
export function parseCommandInput(value: string): ActionCommand {
  const command = ACTION_COMMANDS.find((candidate) => candidate === value);
  if (command) return command;
  throw new PaddockError("USAGE", `input command "${value}" is not supported`, { hint: `use one of: ${ACTION_COMMANDS.join(", ")}` });
}

/** Parses a boolean input; anything but a YAML 1.2 core-schema boolean is a USAGE error naming the input. */
export function parseBooleanInput(options: { name: string; value: string }): boolean {
  const { name, value } = options;
  if ((BOOLEAN_INPUT_VALUES.true as readonly string[]).includes(value)) return true;
  if ((BOOLEAN_INPUT_VALUES.false as readonly string[]).includes(value)) return false;
  const accepted = [...BOOLEAN_INPUT_VALUES.true, ...BOOLEAN_INPUT_VALUES.false].join(", ");
  throw new PaddockError("USAGE", `input ${name} is ${JSON.stringify(value)}, which is not a boolean`, { hint: `use one of: ${accepted}` });
}

/** Splits a multi-line input into lines, trims each line and drops blank ones. */
export function parseMultilineInput(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * Parses a duration input in the config's format (`90s`, `10m`, `1h30m`, `2d`) into seconds;
 * an empty value is undefined. Zero and values over MAX_TIMEOUT_SECONDS are USAGE errors.
 */
export function parseDurationInput(options: { name: string; value: string }): number | undefined {
  const { name, value } = options;
  if (value === "") return undefined;
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) {
    throw new PaddockError("USAGE", `input ${name} is ${JSON.stringify(value)}, which is not a duration`, { hint: "use whole units such as 90s, 10m, 2h or 1h30m" });
  }
  if (seconds === 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new PaddockError("USAGE", `input ${name} is ${value}, which is out of range`, { hint: `use more than 0s and at most ${MAX_TIMEOUT_SECONDS}s` });
  }
  return seconds;
}

/** Parses the `log-max-bytes` input; empty is undefined, and anything but a whole number of bytes in range is a USAGE error. */
export function parseLogMaxBytesInput(value: string): number | undefined {
  if (value === "") return undefined;
  const bytes = Number(value);
  if (/^\d+$/.test(value) && bytes >= MIN_LOG_MAX_BYTES && bytes <= MAX_LOG_MAX_BYTES) return bytes;
  throw new PaddockError("USAGE", `input log-max-bytes is ${JSON.stringify(value)}, which is not a whole number of bytes from ${MIN_LOG_MAX_BYTES} to ${MAX_LOG_MAX_BYTES}`, {
    hint: "set it to a number of bytes such as 20971520 (20 MiB), or leave it empty to use PADDOCK_LOG_MAX_BYTES or the default 10485760 (10 MiB)",
  });
}

/** Checks the `steps` input against the config's steps, naming the first unknown one and the known ones. */
export function selectSteps<T extends { name: string }>(options: { steps: readonly T[]; names: readonly string[]; configPath: string }): T[] {
  const { steps, names, configPath } = options;
  if (names.length === 0) return [...steps];
  const unknown = names.find((name) => !steps.some((step) => step.name === name));
  if (unknown !== undefined) {
    throw new PaddockError("USAGE", `input steps names ${JSON.stringify(unknown)}, which is not a step of ${configPath}`, {
      hint: `use step names from that file: ${steps.map((step) => step.name).join(", ")}`,
    });
  }
  return steps.filter((step) => names.includes(step.name));
}
