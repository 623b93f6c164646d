import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import type { Probot } from "probot";

type ProbotEvent = Parameters<Probot["receive"]>[0];

/** A webhook event name Probot accepts, e.g. `"pull_request"`. */
export type WebhookName = ProbotEvent["name"];

/** The payload type Probot declares for one event name. */
export type WebhookPayload<TName extends WebhookName> = Extract<ProbotEvent, { name: TName }>["payload"];

/** The payload type of one event name, narrowed to one action when `TAction` is given. */
export type WebhookExample<TName extends WebhookName, TAction extends string> = [TAction] extends [never]
  ? WebhookPayload<TName>
  : Extract<WebhookPayload<TName>, { action: TAction }>;

interface WebhookDefinition {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

const require = createRequire(import.meta.url);

// The package's main file: an array of { name, actions, examples } recorded from GitHub.
const EXAMPLES_FILE = "@octokit/webhooks-examples";

let definitions: WebhookDefinition[] | undefined;

function loadDefinitions(): WebhookDefinition[] {
  definitions ??= JSON.parse(readFileSync(require.resolve(EXAMPLES_FILE), "utf8")) as WebhookDefinition[];
  return definitions;
}

/**
 * Returns a deep copy of the first real payload of this event from `@octokit/webhooks-examples`
 * with this `action` (events without actions, like `push`, take none) and, when
 * `withInstallation` is set, an `installation` object. Throws naming what is available when no
 * example fits.
 */
export function loadWebhookExample<TName extends WebhookName, TAction extends string = never>(options: {
  name: TName;
  action?: TAction;
  withInstallation?: boolean;
}): WebhookExample<TName, TAction> {
  const definition = loadDefinitions().find((candidate) => candidate.name === options.name);
  if (!definition) throw new Error(`No webhook examples for the event "${options.name}"`);

  const example = definition.examples.find(
    (candidate) =>
      (options.action === undefined || candidate.action === options.action) &&
      (!options.withInstallation || candidate.installation !== undefined),
  );
  if (!example) {
    const requested = `action "${options.action ?? "(any)"}"${options.withInstallation ? " with an installation" : ""}`;
    const available = definition.examples.map((candidate) => `${String(candidate.action)}${candidate.installation ? "+installation" : ""}`);
    throw new Error(`No "${options.name}" example has ${requested}; available: ${available.join(", ")}`);
  }

  // The examples are recorded payloads, so they are trusted to match Probot's declared type.
  return structuredClone(example) as WebhookExample<TName, TAction>;
}

/**
 * Returns a deep copy of `payload` with each dotted path in `patches` set to its value, so a
 * test lists every field it changed: `patchPayload(payload, { "pull_request.merged": true })`.
 * Every path must already exist (numeric parts index arrays), so a misspelled field throws
 * instead of adding a field GitHub never sends.
 */
export function patchPayload<T>(payload: T, patches: Record<string, unknown>): T {
  const copy = structuredClone(payload);

  for (const [path, value] of Object.entries(patches)) {
    const parts = path.split(".");
    const last = parts.pop() ?? "";
    let node: unknown = copy;

    for (const part of parts) {
      node = childOf(node, part, path);
    }
    childOf(node, last, path);
    (node as Record<string, unknown>)[last] = structuredClone(value);
  }
  return copy;
}

function childOf(node: unknown, part: string, path: string): unknown {
  if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) {
    const keys = typeof node === "object" && node !== null ? Object.keys(node).join(", ") : "none, it is not an object";
    throw new Error(`Cannot patch "${path}": "${part}" does not exist (keys: ${keys})`);
  }
  return (node as Record<string, unknown>)[part];
}
