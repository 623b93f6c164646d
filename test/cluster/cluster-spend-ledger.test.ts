import { CoreV1Api } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import type { SpendEntry } from "../../src/policy/records/spend-ledger.ts";
import { createClusterSpendLedger, MAX_SPEND_ENTRIES_PER_CONFIGMAP, nameSpendConfigMap, SPEND_COMPONENT } from "../../src/replicas/cluster-spend-ledger.ts";
import { createCoordinationApi } from "../../src/replicas/lease-api.ts";
import { impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";

const NAMESPACE = "paddock-system";
/** A day and repository of no other cluster suite, whose replicas record today's spend of their own repositories. */
const DAY = "2001-02-03";
const REPOSITORY_ID = 990_001;
/**
 * Entries each of the two ledgers records at the same time. A write loses only to another
 * writer's success, so each of the 12 writers needs at most 12 attempts, within the ledger's 16.
 */
const ENTRIES_PER_LEDGER = 6;
const controlPlane = useSharedControlPlane();
const admin = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const silent = pino({ enabled: false });

/** Creates a ledger as one replica has it: its own client, acting as Paddock's service account. */
function openLedger(options: { maxEntries?: number } = {}) {
  const api = createCoordinationApi({ kubeConfig: impersonate(controlPlane), namespace: NAMESPACE });
  return createClusterSpendLedger({ api, logger: silent, ...options });
}

function makeEntry(overrides: Partial<SpendEntry> = {}): SpendEntry {
  return {
    day: DAY,
    repositoryId: REPOSITORY_ID,
    actorClass: "agent",
    environment: "widgets-copilot-fix-3f9a1c02be",
    headSha: "a".repeat(40),
    currency: "USD",
    nanos: "1000",
    at: `${DAY}T02:00:00.000Z`,
    ...overrides,
  };
}

/** Stores `entries` as the spend ConfigMap of DAY and REPOSITORY_ID, written directly as an operator would. */
async function storeEntries(entries: SpendEntry[], day = DAY, repositoryId = REPOSITORY_ID): Promise<void> {
  const name = nameSpendConfigMap({ day, repositoryId });
  const labels = { "app.kubernetes.io/component": SPEND_COMPONENT, "app.kubernetes.io/managed-by": "paddock" };
  await admin.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name, labels }, data: { entries: JSON.stringify(entries) } } });
}

async function readStored(day = DAY, repositoryId = REPOSITORY_ID): Promise<SpendEntry[]> {
  const stored = await admin.readNamespacedConfigMap({ namespace: NAMESPACE, name: nameSpendConfigMap({ day, repositoryId }) });
  return JSON.parse(stored.data?.entries ?? "[]") as SpendEntry[];
}

async function listSpendConfigMaps(): Promise<string[]> {
  const listed = await admin.listNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${SPEND_COMPONENT}` });
  return listed.items.map((configMap) => configMap.metadata?.name ?? "").sort();
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  await admin.deleteCollectionNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${SPEND_COMPONENT}` });
});

afterEach(async () => {
  await admin.deleteCollectionNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${SPEND_COMPONENT}` });
});

describe("cluster spend ledger", () => {
  it("keeps every entry two replicas record at once", async () => {
    const ledgers = [openLedger(), openLedger()];

    await Promise.all(
      ledgers.flatMap((ledger, index) =>
        Array.from({ length: ENTRIES_PER_LEDGER }, (_, entry) => ledger.record(makeEntry({ nanos: String(1_000_000 * (index + 1) + entry), environment: `env-${index}-${entry}` }))),
      ),
    );

    // Ledger 0 recorded entries of 1,000,000 + i and ledger 1 entries of 2,000,000 + i, for i from 0 to ENTRIES_PER_LEDGER - 1.
    const expected = BigInt(ENTRIES_PER_LEDGER * 3_000_000 + 2 * ((ENTRIES_PER_LEDGER * (ENTRIES_PER_LEDGER - 1)) / 2));
    for (const ledger of ledgers) {
      expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, day: DAY, currency: "USD" })).toBe(expected);
    }
    const stored = await admin.readNamespacedConfigMap({ namespace: NAMESPACE, name: nameSpendConfigMap({ day: DAY, repositoryId: REPOSITORY_ID }) });
    expect(JSON.parse(stored.data?.entries ?? "[]")).toHaveLength(2 * ENTRIES_PER_LEDGER);
  });

  it("sums by actor class and currency", async () => {
    const ledger = openLedger();
    await ledger.record(makeEntry({ nanos: "5" }));
    await ledger.record(makeEntry({ nanos: "7", actorClass: "human" }));
    await ledger.record(makeEntry({ nanos: "11", currency: "EUR" }));
    await ledger.record(makeEntry({ nanos: "13", repositoryId: REPOSITORY_ID + 1 }));

    expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, day: DAY, currency: "USD" })).toBe(12n);
    expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, actorClass: "agent", day: DAY, currency: "USD" })).toBe(5n);
    expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, day: "2001-02-04", currency: "USD" })).toBe(0n);
  });

  it("rejects an entry when folding cannot help", async () => {
    const ledger = openLedger({ maxEntries: 2 });
    await ledger.record(makeEntry());
    await ledger.record(makeEntry({ actorClass: "human" }));

    // Two actor classes fold into two sums, which still fill a ConfigMap of two entries.
    await expect(ledger.record(makeEntry({ environment: "widgets-third" }))).rejects.toThrow(
      `spend-ledger ConfigMap ${nameSpendConfigMap({ day: DAY, repositoryId: REPOSITORY_ID })} is full with 2 entries, so the spend of environment widgets-third was not recorded`,
    );
    expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, day: DAY, currency: "USD" })).toBe(2000n);
  });

  it("folds a full ConfigMap into sums", async () => {
    const full = Array.from({ length: MAX_SPEND_ENTRIES_PER_CONFIGMAP }, (_, index) =>
      makeEntry({ environment: `widgets-${index}`, nanos: String(1_000 + index), actorClass: index % 2 === 0 ? "agent" : "human" }),
    );
    await storeEntries(full);
    const ledger = openLedger();
    const agentBefore = await ledger.spentToday({ repositoryId: REPOSITORY_ID, actorClass: "agent", day: DAY, currency: "USD" });
    const totalBefore = await ledger.spentToday({ repositoryId: REPOSITORY_ID, day: DAY, currency: "USD" });

    await ledger.record(makeEntry({ environment: "widgets-new", nanos: "5" }));

    const stored = await readStored();
    expect(stored.map((entry) => [entry.actorClass, entry.environment, entry.folded])).toEqual([
      ["agent", "", MAX_SPEND_ENTRIES_PER_CONFIGMAP / 2],
      ["human", "", MAX_SPEND_ENTRIES_PER_CONFIGMAP / 2],
      ["agent", "widgets-new", undefined],
    ]);
    expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, actorClass: "agent", day: DAY, currency: "USD" })).toBe(agentBefore + 5n);
    expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, day: DAY, currency: "USD" })).toBe(totalBefore + 5n);
  });

  it("folds and appends with two writers", async () => {
    await storeEntries(Array.from({ length: 20 }, (_, index) => makeEntry({ environment: `widgets-${index}`, nanos: "100" })));
    const ledgers = [openLedger({ maxEntries: 20 }), openLedger({ maxEntries: 20 })];

    await Promise.all(
      ledgers.flatMap((ledger, index) =>
        Array.from({ length: ENTRIES_PER_LEDGER }, (_, entry) => ledger.record(makeEntry({ nanos: String(1_000_000 * (index + 1) + entry), environment: `env-${index}-${entry}` }))),
      ),
    );

    // 2,000 of the stored entries, plus the sum the first test explains.
    const expected = 2_000n + BigInt(ENTRIES_PER_LEDGER * 3_000_000 + 2 * ((ENTRIES_PER_LEDGER * (ENTRIES_PER_LEDGER - 1)) / 2));
    for (const ledger of ledgers) {
      expect(await ledger.spentToday({ repositoryId: REPOSITORY_ID, day: DAY, currency: "USD" })).toBe(expected);
    }
    const stored = await readStored();
    expect(stored[0]).toMatchObject({ environment: "", folded: 20, nanos: "2000" });
    expect(stored.slice(1).map((entry) => entry.environment).sort()).toEqual(ledgers.flatMap((_, index) => Array.from({ length: ENTRIES_PER_LEDGER }, (_, entry) => `env-${index}-${entry}`)).sort());
  });

  it("deletes the ConfigMaps of past days", async () => {
    await storeEntries([makeEntry({ day: "2001-02-01" })], "2001-02-01");
    await storeEntries([makeEntry({ day: "2001-01-31", repositoryId: REPOSITORY_ID + 1 })], "2001-01-31", REPOSITORY_ID + 1);
    await storeEntries([makeEntry({ day: "2001-02-02" })], "2001-02-02");

    await openLedger().record(makeEntry());

    // The day before is kept for replicas whose clocks lag around midnight.
    expect(await listSpendConfigMaps()).toEqual([nameSpendConfigMap({ day: "2001-02-02", repositoryId: REPOSITORY_ID }), nameSpendConfigMap({ day: DAY, repositoryId: REPOSITORY_ID })]);
  });
});
