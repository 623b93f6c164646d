import { hostname } from "node:os";
import { PaddockError } from "../errors.ts";

/** Default number of shards that environment keys are hashed into, each with one Lease. */
export const DEFAULT_LEASE_SHARDS = 16;
/** Maximum number of shards: every replica renews its shards' Leases each retry period. */
export const MAX_LEASE_SHARDS = 256;
/** Default time a Lease stays valid after its last renewal, in seconds; client-go's leader election uses the same. */
export const DEFAULT_LEASE_DURATION_SECONDS = 15;
/** Default time after its last successful renewal at which a holder stops working on a Lease's keys, in seconds. */
export const DEFAULT_RENEW_DEADLINE_SECONDS = 10;
/** Default time between two rounds of renewing, acquiring and reading handed-over work, in seconds. */
export const DEFAULT_RETRY_PERIOD_SECONDS = 2;

/** Settings of the Leases through which replicas share the environment keys. */
export interface ReplicaSettings {
  /** Holder identity written to Leases; unique per running replica. */
  replicaId: string;
  /** Namespace of the Leases and of handed-over work, Paddock's own. */
  namespace: string;
  shards: number;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

/**
 * Reads the replica settings: PADDOCK_LEASE_NAMESPACE turns coordination on, and needs the
 * Kubernetes provider. PADDOCK_REPLICA_ID (default: the host name, which is the pod name in a
 * Deployment), PADDOCK_LEASE_SHARDS, and PADDOCK_LEASE_DURATION, PADDOCK_LEASE_RENEW_DEADLINE and
 * PADDOCK_LEASE_RETRY_PERIOD in seconds. Returns undefined when coordination is off, so the
 * process runs every key itself.
 */
export function readReplicaSettings(env: NodeJS.ProcessEnv): ReplicaSettings | undefined {
  const namespace = env.PADDOCK_LEASE_NAMESPACE;
  if (namespace === undefined || namespace === "") return undefined;
  const provider = env.PADDOCK_PROVIDER ?? "local";
  if (provider !== "kubernetes") {
    throw new PaddockError("USAGE", `PADDOCK_LEASE_NAMESPACE=${namespace} needs PADDOCK_PROVIDER=kubernetes, but the provider is ${provider}`, {
      hint: "unset PADDOCK_LEASE_NAMESPACE to run one replica, or set PADDOCK_PROVIDER=kubernetes",
    });
  }
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new PaddockError("USAGE", `PADDOCK_LEASE_NAMESPACE=${namespace} is not a valid namespace name`, { hint: "use lowercase letters, digits and '-', at most 63 characters" });
  }
  const replicaId = env.PADDOCK_REPLICA_ID ?? hostname();
  if (replicaId.trim() === "" || replicaId.length > 253) {
    throw new PaddockError("USAGE", `PADDOCK_REPLICA_ID=${replicaId} is invalid`, { hint: "set a name of 1 to 253 characters that no other replica uses, such as the pod name" });
  }

  const shards = readNumber(env, "PADDOCK_LEASE_SHARDS", DEFAULT_LEASE_SHARDS);
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_LEASE_SHARDS) {
    throw new PaddockError("USAGE", `PADDOCK_LEASE_SHARDS=${env.PADDOCK_LEASE_SHARDS} is invalid`, { hint: `set a whole number from 1 to ${MAX_LEASE_SHARDS}` });
  }
  const leaseDurationSeconds = readNumber(env, "PADDOCK_LEASE_DURATION", DEFAULT_LEASE_DURATION_SECONDS);
  const renewDeadlineSeconds = readNumber(env, "PADDOCK_LEASE_RENEW_DEADLINE", DEFAULT_RENEW_DEADLINE_SECONDS);
  const retryPeriodSeconds = readNumber(env, "PADDOCK_LEASE_RETRY_PERIOD", DEFAULT_RETRY_PERIOD_SECONDS);
  // A Lease's duration is written in whole seconds.
  if (!Number.isInteger(leaseDurationSeconds) || leaseDurationSeconds < 2) {
    throw new PaddockError("USAGE", `PADDOCK_LEASE_DURATION=${env.PADDOCK_LEASE_DURATION} is invalid`, { hint: "set a whole number of seconds, 2 or more" });
  }
  if (!(renewDeadlineSeconds > 0) || renewDeadlineSeconds >= leaseDurationSeconds) {
    throw new PaddockError("USAGE", `PADDOCK_LEASE_RENEW_DEADLINE=${renewDeadlineSeconds} is invalid: it must be shorter than PADDOCK_LEASE_DURATION=${leaseDurationSeconds}`, {
      hint: "a holder must stop working before another replica may take its Lease, so set a deadline below the duration",
    });
  }
  if (!(retryPeriodSeconds > 0) || retryPeriodSeconds >= renewDeadlineSeconds) {
    throw new PaddockError("USAGE", `PADDOCK_LEASE_RETRY_PERIOD=${retryPeriodSeconds} is invalid: it must be shorter than PADDOCK_LEASE_RENEW_DEADLINE=${renewDeadlineSeconds}`, {
      hint: "a holder needs time for more than one renewal before its deadline, so set a period below the deadline",
    });
  }
  return { replicaId, namespace, shards, leaseDurationSeconds, renewDeadlineSeconds, retryPeriodSeconds };
}

function readNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new PaddockError("USAGE", `${name}=${text} is not a number`, { hint: "set a number of seconds, or a whole number for PADDOCK_LEASE_SHARDS" });
  return value;
}
