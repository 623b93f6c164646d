import type { V1ConfigMap } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { describeEventIdentity } from "../github/webhook-event.ts";
import { COORDINATION_LABEL, CoordinationConflictError, type CoordinationApi } from "./lease-api.ts";
import { shardOfKey } from "./shard-of-key.ts";
import type { HandedOverCommand } from "./work-router.ts";

/** Maximum commands waiting in one shard's inbox; a ConfigMap holds at most 1 MiB, and a command takes about 1 KB. */
export const MAX_INBOX_COMMANDS = 500;
/** Maximum duplicate-check keys one inbox remembers; the oldest go first. */
export const MAX_INBOX_SEEN = 2_000;
/** How long an inbox remembers a handed-over delivery, in milliseconds: GitHub redelivers within hours. */
export const INBOX_SEEN_MS = 24 * 60 * 60 * 1000;
/** Label that deploy/ admission policy reads to let Paddock write a ConfigMap of its namespace. */
const COMPONENT_LABEL = "app.kubernetes.io/component";
/** Value of COMPONENT_LABEL on inbox ConfigMaps. */
export const INBOX_COMPONENT = "work-inbox";
/** Attempts of one hand-over when other replicas write the same inbox at the same time. */
const MAX_ATTEMPTS = 16;

/** A command waiting in an inbox, with the key it is for. */
export interface InboxEntry {
  key: string;
  command: HandedOverCommand;
  /** ISO 8601 time at which it was handed over. */
  handedOverAt: string;
}

/** Returns the name of a shard's inbox ConfigMap. */
export function nameInbox(shard: number): string {
  return `paddock-inbox-${shard}`;
}

/**
 * Work that a replica received for a key it does not own, kept in one ConfigMap per shard in
 * Paddock's namespace until the shard's owner takes it. Every write carries the resourceVersion
 * it read, so two replicas writing at once cannot lose each other's commands: the loser gets a
 * 409 and tries again. The inbox also remembers the deliveries handed over in the last 24 hours,
 * so one delivery that reaches two replicas is stored once.
 */
export class WorkInbox {
  readonly #api: CoordinationApi;
  readonly #shards: number;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(options: { api: CoordinationApi; shards: number; logger: Logger; now?: () => number }) {
    this.#api = options.api;
    this.#shards = options.shards;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Stores a command in its key's inbox, unless the inbox has seen it; resolves with which it was. */
  async handOver(key: string, command: HandedOverCommand): Promise<"stored" | "duplicate"> {
    const shard = shardOfKey(key, this.#shards);
    const name = nameInbox(shard);
    const checkKeys = describeCheckKeys(command);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const current = await this.#api.readConfigMap(name);
      const contents = readInbox(current);
      const now = this.#now();
      const seen = new Map([...contents.seen].filter(([, at]) => now - at < INBOX_SEEN_MS));
      if (checkKeys.some((checkKey) => seen.has(checkKey))) return "duplicate";
      if (contents.commands.length >= MAX_INBOX_COMMANDS) {
        throw new Error(`inbox ${name} is full with ${MAX_INBOX_COMMANDS} commands, so the work for ${key} was not handed over; check that a replica holds the Lease of shard ${shard}`);
      }
      for (const checkKey of checkKeys) seen.set(checkKey, now);
      const commands = [...contents.commands, { key, command, handedOverAt: new Date(now).toISOString() }];
      const body = buildInbox({ name, shard, current, commands, seen: [...seen].slice(-MAX_INBOX_SEEN) });
      try {
        await (current ? this.#api.replaceConfigMap(body) : this.#api.createConfigMap(body));
        return "stored";
      } catch (error) {
        if (!(error instanceof CoordinationConflictError)) throw error;
        this.#logger.debug({ inbox: name, attempt }, "inbox write conflicted; reading it again");
        // Each round of writers in lockstep stores only one command, so a random pause spreads them out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
    throw new Error(`inbox ${nameInbox(shard)} changed ${MAX_ATTEMPTS} times while the work for ${key} was handed over; the work was not stored`);
  }

  /**
   * Takes the waiting commands of the given shards: one list request, then one replace per inbox
   * that has commands. A replace that conflicts leaves that inbox's commands for the next call.
   */
  async take(shards: number[]): Promise<InboxEntry[]> {
    if (shards.length === 0) return [];
    const wanted = new Set(shards.map(nameInbox));
    const taken: InboxEntry[] = [];
    for (const configMap of await this.#api.listConfigMaps()) {
      const name = configMap.metadata?.name ?? "";
      if (!wanted.has(name)) continue;
      const contents = readInbox(configMap);
      if (contents.commands.length === 0) continue;
      const shard = Number(name.slice("paddock-inbox-".length));
      try {
        await this.#api.replaceConfigMap(buildInbox({ name, shard, current: configMap, commands: [], seen: [...contents.seen] }));
        taken.push(...contents.commands);
      } catch (error) {
        if (!(error instanceof CoordinationConflictError)) throw error;
      }
    }
    return taken;
  }
}

/** Keys by which the inbox finds a command handed over twice. */
function describeCheckKeys(command: HandedOverCommand): string[] {
  if (command.kind === "teardown" || command.kind === "preempt") return [];
  if (command.passedOn !== undefined) return [`passed-on/${command.passedOn}`];
  if (command.kind === "push") return [`delivery/${command.event.deliveryId}`];
  // A branch run comes from a push this replica accepted, whose delivery the inbox may have seen already.
  if (command.kind === "branch_run") return [command.checkRunId !== undefined ? `check-run/${command.checkRunId}` : `branch-run/${command.event.deliveryId}`];
  if (command.checkRunId !== undefined) return [`check-run/${command.checkRunId}`];
  const delivery = `delivery/${command.event.deliveryId}`;
  return command.rerun ? [delivery] : [delivery, describeEventIdentity(command.event)];
}

function readInbox(configMap: V1ConfigMap | undefined): { commands: InboxEntry[]; seen: Array<[string, number]> } {
  const data = configMap?.data ?? {};
  return { commands: parseArray<InboxEntry>(data.commands), seen: parseArray<[string, number]>(data.seen) };
}

function parseArray<T>(text: string | undefined): T[] {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}

function buildInbox(options: { name: string; shard: number; current: V1ConfigMap | undefined; commands: InboxEntry[]; seen: Array<[string, number]> }): V1ConfigMap {
  const { name, shard, current } = options;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      ...(current?.metadata ?? {}),
      name,
      labels: { ...(current?.metadata?.labels ?? {}), [COORDINATION_LABEL]: "inbox", [COMPONENT_LABEL]: INBOX_COMPONENT, "app.kubernetes.io/managed-by": "paddock", "paddock.dev/shard": String(shard) },
    },
    data: { commands: JSON.stringify(options.commands), seen: JSON.stringify(options.seen) },
  };
}
