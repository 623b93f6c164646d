import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { readReplicaSettings } from "../../src/replicas/replica-settings.ts";

const BASE = { PADDOCK_PROVIDER: "kubernetes", PADDOCK_LEASE_NAMESPACE: "paddock-system" };

describe("readReplicaSettings", () => {
  it("is off without a lease namespace", () => {
    expect(readReplicaSettings({ PADDOCK_PROVIDER: "kubernetes" })).toBeUndefined();
  });

  it("uses the host name and client-go's durations by default", () => {
    expect(readReplicaSettings(BASE)).toEqual({
      replicaId: hostname(),
      namespace: "paddock-system",
      shards: 16,
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
    });
  });

  it("reads every setting", () => {
    const env = { ...BASE, PADDOCK_REPLICA_ID: "paddock-7f9c", PADDOCK_LEASE_SHARDS: "4", PADDOCK_LEASE_DURATION: "6", PADDOCK_LEASE_RENEW_DEADLINE: "4", PADDOCK_LEASE_RETRY_PERIOD: "0.5" };

    expect(readReplicaSettings(env)).toEqual({ replicaId: "paddock-7f9c", namespace: "paddock-system", shards: 4, leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 0.5 });
  });

  it.each([
    [{ PADDOCK_PROVIDER: "local" }, "PADDOCK_LEASE_NAMESPACE=paddock-system needs PADDOCK_PROVIDER=kubernetes, but the provider is local. unset PADDOCK_LEASE_NAMESPACE to run one replica, or set PADDOCK_PROVIDER=kubernetes"],
    [{ PADDOCK_LEASE_NAMESPACE: "Paddock_System" }, "PADDOCK_LEASE_NAMESPACE=Paddock_System is not a valid namespace name. use lowercase letters, digits and '-', at most 63 characters"],
    [{ PADDOCK_REPLICA_ID: " " }, "PADDOCK_REPLICA_ID=  is invalid. set a name of 1 to 253 characters that no other replica uses, such as the pod name"],
    [{ PADDOCK_LEASE_SHARDS: "0" }, "PADDOCK_LEASE_SHARDS=0 is invalid. set a whole number from 1 to 256"],
    [{ PADDOCK_LEASE_SHARDS: "2.5" }, "PADDOCK_LEASE_SHARDS=2.5 is invalid. set a whole number from 1 to 256"],
    [{ PADDOCK_LEASE_DURATION: "ten" }, "PADDOCK_LEASE_DURATION=ten is not a number. set a number of seconds, or a whole number for PADDOCK_LEASE_SHARDS"],
    [{ PADDOCK_LEASE_DURATION: "1" }, "PADDOCK_LEASE_DURATION=1 is invalid. set a whole number of seconds, 2 or more"],
    [
      { PADDOCK_LEASE_RENEW_DEADLINE: "15" },
      "PADDOCK_LEASE_RENEW_DEADLINE=15 is invalid: it must be shorter than PADDOCK_LEASE_DURATION=15. a holder must stop working before another replica may take its Lease, so set a deadline below the duration",
    ],
    [
      { PADDOCK_LEASE_RETRY_PERIOD: "10" },
      "PADDOCK_LEASE_RETRY_PERIOD=10 is invalid: it must be shorter than PADDOCK_LEASE_RENEW_DEADLINE=10. a holder needs time for more than one renewal before its deadline, so set a period below the deadline",
    ],
  ])("rejects %o", (override, message) => {
    expect(() => readReplicaSettings({ ...BASE, ...override })).toThrow(message);
  });
});
