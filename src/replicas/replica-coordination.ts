import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { ClientsForEvent, PaddockService } from "../service/paddock-service.ts";
import { createCoordinationApi, type CoordinationApi } from "./lease-api.ts";
import type { ReplicaSettings } from "./replica-settings.ts";
import { ShardLeases } from "./shard-leases.ts";
import { shardOfKey } from "./shard-of-key.ts";
import { WorkInbox } from "./work-inbox.ts";
import type { WorkRouter } from "./work-router.ts";

/** The coordination objects the app needs to run as one of several replicas. */
export interface ReplicaCoordination {
  settings: ReplicaSettings;
  /** Routes each key's work to the replica that holds its shard's Lease; pass it to the service. */
  router: WorkRouter;
  leases: ShardLeases;
  /** True while this replica holds the sweeper Lease. */
  isSweeper(): boolean;
  /** Starts the Lease rounds; resumed and handed-over work goes to `service`. */
  start(options: { service: PaddockService; clientsFor: ClientsForEvent }): void;
  /** Stops the rounds; with `release`, stops work on every shard and hands the Leases back first. */
  stop(options: { release: boolean }): Promise<void>;
}

/**
 * Creates the coordination of one replica: shard Leases, the inbox of handed-over work, and
 * the router the service sends each key's work through. When it acquires shards it resumes
 * their interrupted runs (from the environments' annotations) before it takes their inbox, so
 * newer handed-over work supersedes a resumed run. When it loses shards it detaches from their
 * keys, leaving their Jobs running for the new owner.
 */
export function createReplicaCoordination(options: { settings: ReplicaSettings; logger: Logger; kubeConfig?: KubeConfig; api?: CoordinationApi }): ReplicaCoordination {
  const { settings } = options;
  const logger = options.logger.child({ replica: settings.replicaId });
  const api = options.api ?? createCoordinationApi({ kubeConfig: options.kubeConfig!, namespace: settings.namespace });
  const inbox = new WorkInbox({ api, shards: settings.shards, logger });
  const inShards = (shards: number[]) => {
    const set = new Set(shards);
    return (key: string): boolean => set.has(shardOfKey(key, settings.shards));
  };
  let bound: { service: PaddockService; clientsFor: ClientsForEvent } | undefined;

  const leases = new ShardLeases({
    api,
    settings,
    logger,
    handlers: {
      onAcquired: async (shards) => {
        if (!bound) return;
        const resumed = await bound.service.resumeRuns({ matches: inShards(shards), clientsFor: bound.clientsFor });
        if (resumed.length > 0) logger.info({ shards, resumed: resumed.map((run) => run.environmentName) }, "interrupted runs of acquired shards resumed");
      },
      onLost: (shards) => bound?.service.detachKeys(inShards(shards)),
      isIdle: (shard) => !(bound?.service.hasWork(inShards([shard])) ?? false),
      onRound: async (shards) => {
        if (!bound) return;
        for (const entry of await inbox.take(shards)) await acceptEntry(bound, entry.command, logger);
      },
    },
  });

  return {
    settings,
    leases,
    router: {
      owns: (key) => leases.ownsKey(key),
      handOver: async (key, command) => {
        const outcome = await inbox.handOver(key, command);
        if (outcome === "duplicate") logger.info({ key, kind: command.kind }, "handed-over work ignored: the inbox contains it already");
      },
    },
    isSweeper: () => leases.isSweeper(),
    start(startOptions) {
      bound = startOptions;
      leases.start();
      logger.info({ namespace: settings.namespace, shards: settings.shards, leaseDurationSeconds: settings.leaseDurationSeconds }, "replica coordination started");
    },
    stop: (stopOptions) => leases.stop(stopOptions),
  };
}

async function acceptEntry(bound: { service: PaddockService; clientsFor: ClientsForEvent }, command: Parameters<PaddockService["acceptCommand"]>[0]["command"], logger: Logger): Promise<void> {
  try {
    const clients = command.kind === "teardown" || command.kind === "preempt" ? undefined : await bound.clientsFor(command.event);
    bound.service.acceptCommand({ command, clients, clientsFor: bound.clientsFor, logger });
  } catch (error) {
    // NOTE: the command has left the inbox, so it is lost until GitHub delivers the event again.
    logger.error({ err: error, kind: command.kind }, "taking handed-over work failed");
  }
}
