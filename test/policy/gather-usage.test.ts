import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ActorClassification } from "../../src/policy/actor-class.ts";
import { createJsonlSpendLedger } from "../../src/policy/records/spend-ledger.ts";
import type { ListedEnvironment } from "../../src/providers/provider.ts";
import { gatherUsage } from "../../src/service/gather-usage.ts";

const NOW = new Date("2026-12-04T12:00:00.000Z");
const AGENT: ActorClassification = { actorClass: "agent", login: "Copilot", basis: "identity", agent: "copilot", hints: [] };

function listed(name: string, options: { repositoryId?: number; actor?: string; actorClass?: string; expiresAt?: string }): ListedEnvironment {
  return {
    name,
    labels: { "paddock.dev/repository-id": String(options.repositoryId ?? 42) },
    annotations: {
      "paddock.dev/actor": options.actor ?? "Copilot",
      "paddock.dev/actor-class": options.actorClass ?? "agent",
      "paddock.dev/expires-at": options.expiresAt ?? "2026-12-04T13:00:00.000Z",
    },
  };
}

describe("gatherUsage", () => {
  it("counts live environments of the class and actor, and today's spend", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "paddock-usage-"));
    const ledger = createJsonlSpendLedger({ stateDir });
    const entry = { day: "2026-12-04", repositoryId: 42, environment: "x", headSha: "f".repeat(40), currency: "USD", at: NOW.toISOString() };
    await ledger.record({ ...entry, actorClass: "agent", nanos: "300" });
    await ledger.record({ ...entry, actorClass: "human", nanos: "200" });
    const environments = [
      listed("self", {}),
      listed("same-actor", {}),
      listed("other-agent", { actor: "claude[bot]" }),
      listed("human", { actor: "octocat", actorClass: "human" }),
      listed("other-repository", { repositoryId: 7 }),
      listed("expired", { expiresAt: "2026-12-04T11:59:59.000Z" }),
      listed("no-expiry", { expiresAt: "soon" }),
    ];

    const usage = await gatherUsage({
      sources: { listEnvironments: async () => environments, ledger },
      repositoryId: 42,
      environmentName: "self",
      actor: AGENT,
      currency: "USD",
      now: NOW,
    });

    // "no-expiry" counts: an unreadable expiry is treated as live, because over-counting only denies.
    expect(usage).toEqual({ live: { inRepository: 3, forActor: 2 }, spentToday: { repositoryNanos: 500n, actorClassNanos: 300n } });
  });

  it("leaves live environments unknown without a list", async () => {
    const ledger = createJsonlSpendLedger({ stateDir: mkdtempSync(join(tmpdir(), "paddock-usage-")) });
    const usage = await gatherUsage({ sources: { ledger }, repositoryId: 42, environmentName: "self", actor: AGENT, currency: "USD", now: NOW });
    expect(usage).toEqual({ spentToday: { repositoryNanos: 0n, actorClassNanos: 0n } });
  });
});
