import { createHash } from "node:crypto";
import type { V1Lease } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { COORDINATION_LABEL, CoordinationConflictError, toMicroTime, type CoordinationApi } from "./lease-api.ts";
import type { ReplicaSettings } from "./replica-settings.ts";
import { shardOfKey } from "./shard-of-key.ts";

/** Name of the Lease that lets one replica run the sweeper. */
export const SWEEPER_LEASE_NAME = "paddock-sweeper";
/** Interval of the local check that stops work on Leases past their renew deadline, in milliseconds. */
export const FENCE_CHECK_INTERVAL_MS = 250;
/** Lease durations after which the sweeper replica deletes the membership Lease of a replica that stopped, such as a deleted pod. */
export const STALE_REPLICA_LEASE_DURATIONS = 20;

/** Returns the name of the Lease of one shard. */
export function nameShardLease(shard: number): string {
  return `paddock-shard-${shard}`;
}

/** Returns the name of a replica's membership Lease, which shows the others that it is alive. */
export function nameReplicaLease(replicaId: string): string {
  return `paddock-replica-${createHash("sha256").update(replicaId).digest("hex").slice(0, 12)}`;
}

type LeaseRole = "shard" | "sweeper" | "replica";

interface HeldLease {
  lease: V1Lease;
  /** Local monotonic time at which the request of the last successful acquire or renewal was sent. */
  renewedAt: number;
}

/** The Lease callbacks of ShardLeases. */
export interface ShardLeaseHandlers {
  /** Runs after shards were acquired and before the next round; resume their work here. */
  onAcquired: (shards: number[]) => Promise<void>;
  /** Runs as soon as shards are lost or released: stop their work before another replica may take them. */
  onLost: (shards: number[]) => void;
  /** True when no work runs or waits for the shard's keys, so it may be released to a replica with fewer shards. */
  isIdle: (shard: number) => boolean;
  /** Runs at the end of every round with the shards held, such as to take work handed over to them. */
  onRound?: (shards: number[]) => Promise<void>;
}

/**
 * Shares environment-key shards between replicas through coordination.k8s.io Leases, as
 * client-go's leader election does for one Lease. Every retry period a replica lists the Leases
 * (one request), renews those it holds with optimistic concurrency (each replace carries the
 * resourceVersion it read, so a Lease written by someone else returns 409), and acquires free or
 * expired shards up to its fair share: the shard count divided by the live replicas, which each
 * renew a membership Lease. It releases idle shards beyond its share.
 *
 * A Lease counts as expired only when its resourceVersion has not changed for the Lease's own
 * `leaseDurationSeconds`, measured on the observer's monotonic clock, so clock skew between
 * replicas does not matter. A holder stops working on a shard once `renewDeadlineSeconds` have
 * passed since it sent its last successful renewal, which is before any other replica can see
 * the Lease as expired.
 */
export class ShardLeases {
  readonly #api: CoordinationApi;
  readonly #settings: ReplicaSettings;
  readonly #logger: Logger;
  readonly #handlers: ShardLeaseHandlers;
  readonly #now: () => number;
  readonly #held = new Map<string, HeldLease>();
  readonly #observed = new Map<string, { resourceVersion: string; observedAt: number }>();
  readonly #memberLease: string;
  #fenceTimer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(options: { api: CoordinationApi; settings: ReplicaSettings; logger: Logger; handlers: ShardLeaseHandlers; now?: () => number }) {
    this.#api = options.api;
    this.#settings = options.settings;
    this.#logger = options.logger.child({ replica: options.settings.replicaId });
    this.#handlers = options.handlers;
    this.#now = options.now ?? (() => performance.now());
    this.#memberLease = nameReplicaLease(options.settings.replicaId);
  }

  /** True when this replica holds the shard's Lease and is within its renew deadline. */
  owns(shard: number): boolean {
    return this.#isCurrent(nameShardLease(shard));
  }

  /** True when this replica owns the shard of an environment key. */
  ownsKey(key: string): boolean {
    return this.owns(shardOfKey(key, this.#settings.shards));
  }

  /** True when this replica holds the sweeper Lease and is within its renew deadline. */
  isSweeper(): boolean {
    return this.#isCurrent(SWEEPER_LEASE_NAME);
  }

  /** Shards this replica owns now, in ascending order. */
  ownedShards(): number[] {
    return this.#heldShards().filter((shard) => this.owns(shard));
  }

  /** Starts the rounds and the fence check; `stop` ends them. */
  start(): void {
    this.#fenceTimer = setInterval(() => this.#fence(), FENCE_CHECK_INTERVAL_MS);
    this.#fenceTimer.unref();
    this.#loop = (async () => {
      while (!this.#stopped) {
        const startedAt = this.#now();
        await this.round().catch((error: unknown) => this.#logger.error({ err: error }, "lease round failed"));
        const waitMs = Math.max(0, this.#settings.retryPeriodSeconds * 1000 - (this.#now() - startedAt));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          this.#wake = () => (clearTimeout(timer), resolve());
        });
      }
    })();
  }

  /**
   * Stops the rounds. With `release`, the replica first stops working on its shards and then
   * hands every Lease back, so other replicas take them at their next round instead of waiting
   * for the Leases to expire.
   */
  async stop(options: { release: boolean }): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    clearInterval(this.#fenceTimer);
    await this.#loop;
    if (!options.release) return;
    const held = [...this.#held.values()].map((entry) => entry.lease);
    this.#lose([...this.#held.keys()], "released at shutdown");
    await Promise.all(held.map((lease) => this.#release(lease)));
  }

  /** One round: list, renew, acquire up to the fair share, release extras, then the `onRound` handler. */
  async round(): Promise<void> {
    this.#fence();

    // 1. One list request for every coordination Lease.
    let listed: Map<string, V1Lease> | undefined;
    try {
      const leases = await this.#api.listLeases();
      listed = new Map(leases.map((lease) => [lease.metadata!.name!, lease]));
      this.#observe(leases);
    } catch (error) {
      this.#logger.warn({ err: error }, "listing leases failed; renewing the held ones anyway");
    }

    // 2. Renew what is held; a renewal that fails leaves the fence to stop the work in time.
    await Promise.all([...this.#held.keys()].map((name) => this.#renew(name, listed?.get(name))));
    this.#fence();
    if (!listed || this.#stopped) return;

    // 3. Membership, the sweeper, then shards up to the fair share.
    if (!this.#held.has(this.#memberLease)) await this.#acquire(this.#memberLease, "replica", listed.get(this.#memberLease));
    if (!this.#held.has(SWEEPER_LEASE_NAME)) await this.#acquire(SWEEPER_LEASE_NAME, "sweeper", listed.get(SWEEPER_LEASE_NAME));
    const fairShare = Math.ceil(this.#settings.shards / this.#countLiveReplicas(listed));
    const acquired = await this.#acquireShards(listed, fairShare);
    await this.#releaseExtras(fairShare);
    if (this.isSweeper()) await this.#deleteStaleReplicaLeases(listed);
    if (acquired.length > 0) {
      this.#logger.info({ shards: acquired, fairShare }, "shards acquired");
      await this.#handlers.onAcquired(acquired);
    }
    await this.#handlers.onRound?.(this.ownedShards());
  }

  #isCurrent(name: string): boolean {
    const held = this.#held.get(name);
    return held !== undefined && this.#now() - held.renewedAt < this.#settings.renewDeadlineSeconds * 1000;
  }

  #heldShards(): number[] {
    return [...this.#held.keys()].map(parseShard).filter((shard): shard is number => shard !== undefined).sort((a, b) => a - b);
  }

  /** Stops work on every Lease whose renew deadline passed. */
  #fence(): void {
    const expired = [...this.#held.keys()].filter((name) => !this.#isCurrent(name));
    if (expired.length > 0) this.#lose(expired, "renew deadline passed");
  }

  #lose(names: string[], reason: string): void {
    for (const name of names) this.#held.delete(name);
    const shards = names.map(parseShard).filter((shard): shard is number => shard !== undefined);
    this.#logger.warn({ leases: names, reason }, "leases lost; work on their keys stopped");
    if (shards.length > 0) this.#handlers.onLost(shards);
  }

  #observe(leases: V1Lease[]): void {
    const now = this.#now();
    for (const lease of leases) {
      const name = lease.metadata!.name!;
      const resourceVersion = lease.metadata?.resourceVersion ?? "";
      if (this.#observed.get(name)?.resourceVersion !== resourceVersion) this.#observed.set(name, { resourceVersion, observedAt: now });
    }
  }

  /** True when no replica holds the Lease, or its record has not changed for its own duration. */
  #isFree(name: string, lease: V1Lease): boolean {
    const holder = lease.spec?.holderIdentity;
    if (holder === undefined || holder === "") return true;
    const observed = this.#observed.get(name);
    const durationMs = (lease.spec?.leaseDurationSeconds ?? this.#settings.leaseDurationSeconds) * 1000;
    return observed !== undefined && this.#now() - observed.observedAt > durationMs;
  }

  #countLiveReplicas(listed: Map<string, V1Lease>): number {
    let live = 0;
    for (const [name, lease] of listed) {
      if (lease.metadata?.labels?.[COORDINATION_LABEL] !== "replica" || name === this.#memberLease) continue;
      if (!this.#isFree(name, lease)) live += 1;
    }
    return live + 1;
  }

  async #deleteStaleReplicaLeases(listed: Map<string, V1Lease>): Promise<void> {
    for (const [name, lease] of listed) {
      if (lease.metadata?.labels?.[COORDINATION_LABEL] !== "replica" || name === this.#memberLease) continue;
      const observed = this.#observed.get(name);
      const durationMs = (lease.spec?.leaseDurationSeconds ?? this.#settings.leaseDurationSeconds) * 1000;
      if (!observed || this.#now() - observed.observedAt < STALE_REPLICA_LEASE_DURATIONS * durationMs) continue;
      try {
        await this.#api.deleteLease(name, lease.metadata?.resourceVersion ?? "");
        this.#observed.delete(name);
        this.#logger.info({ lease: name, holder: lease.spec?.holderIdentity }, "membership lease of a stopped replica deleted");
      } catch (error) {
        if (!(error instanceof CoordinationConflictError)) this.#logger.warn({ err: error, lease: name }, "deleting a stale membership lease failed");
      }
    }
  }

  async #acquireShards(listed: Map<string, V1Lease>, fairShare: number): Promise<number[]> {
    const { shards, replicaId } = this.#settings;
    const acquired: number[] = [];
    // Replicas start their search at different shards, so two starting together rarely race for the same Lease.
    const offset = shardOfKey(replicaId, shards);
    for (let step = 0; step < shards && this.#heldShards().length < fairShare; step += 1) {
      const shard = (offset + step) % shards;
      const name = nameShardLease(shard);
      if (this.#held.has(name)) continue;
      if (await this.#acquire(name, "shard", listed.get(name))) acquired.push(shard);
    }
    return acquired;
  }

  async #releaseExtras(fairShare: number): Promise<void> {
    const extra = this.#heldShards().length - fairShare;
    if (extra <= 0) return;
    const idle = this.#heldShards().filter((shard) => this.#handlers.isIdle(shard)).slice(0, extra);
    if (idle.length === 0) return;
    const names = idle.map(nameShardLease);
    const leases = names.map((name) => this.#held.get(name)!.lease);
    this.#lose(names, `more than the fair share of ${fairShare} shards`);
    await Promise.all(leases.map((lease) => this.#release(lease)));
  }

  async #acquire(name: string, role: LeaseRole, listed: V1Lease | undefined): Promise<boolean> {
    const { replicaId, leaseDurationSeconds } = this.#settings;
    const sentAt = this.#now();
    const time = toMicroTime(new Date());
    try {
      let lease: V1Lease;
      if (listed === undefined) {
        lease = await this.#api.createLease({
          metadata: { name, labels: { [COORDINATION_LABEL]: role, "app.kubernetes.io/managed-by": "paddock" } },
          spec: { holderIdentity: replicaId, leaseDurationSeconds, acquireTime: time, renewTime: time, leaseTransitions: 0 },
        });
      } else {
        if (!this.#isFree(name, listed)) return false;
        const transitions = (listed.spec?.leaseTransitions ?? 0) + (listed.spec?.holderIdentity ? 1 : 0);
        lease = await this.#api.replaceLease({ ...listed, spec: { ...listed.spec, holderIdentity: replicaId, leaseDurationSeconds, acquireTime: time, renewTime: time, leaseTransitions: transitions } });
      }
      this.#held.set(name, { lease, renewedAt: sentAt });
      if (listed?.spec?.holderIdentity) this.#logger.info({ lease: name, previousHolder: listed.spec.holderIdentity }, "expired lease taken over");
      return true;
    } catch (error) {
      if (!(error instanceof CoordinationConflictError)) this.#logger.warn({ err: error, lease: name }, "acquiring a lease failed");
      return false;
    }
  }

  async #renew(name: string, listed: V1Lease | undefined): Promise<void> {
    const held = this.#held.get(name);
    if (!held) return;
    const sentAt = this.#now();
    const spec = { ...held.lease.spec, holderIdentity: this.#settings.replicaId, leaseDurationSeconds: this.#settings.leaseDurationSeconds, renewTime: toMicroTime(new Date()) };
    try {
      const lease = await this.#api.replaceLease({ ...held.lease, spec });
      // The fence may have dropped the Lease while the request was under way; then it stays dropped.
      if (this.#held.get(name) === held) this.#held.set(name, { lease, renewedAt: sentAt });
    } catch (error) {
      if (!(error instanceof CoordinationConflictError)) {
        this.#logger.warn({ err: error, lease: name }, "renewing a lease failed");
        return;
      }
      // 409: the Lease changed since this replica wrote it. Still ours (an earlier renewal that timed out went through): retry with the listed version.
      if (listed?.spec?.holderIdentity === this.#settings.replicaId && this.#held.get(name) === held) {
        held.lease = listed;
        this.#logger.warn({ lease: name }, "lease renewal conflicted; retrying with the current version");
        return;
      }
      this.#lose([name], `renewal conflicted: the lease is held by ${listed?.spec?.holderIdentity ?? "another replica"}`);
    }
  }

  /** Writes an empty holder over the version this replica renewed last; a 409 means someone else wrote it since, so it is left alone. */
  async #release(lease: V1Lease): Promise<void> {
    try {
      await this.#api.replaceLease({ ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: toMicroTime(new Date()) } });
    } catch (error) {
      if (!(error instanceof CoordinationConflictError)) this.#logger.warn({ err: error, lease: lease.metadata?.name }, "releasing a lease failed; it expires by itself");
    }
  }
}

function parseShard(name: string): number | undefined {
  const match = /^paddock-shard-(\d+)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
