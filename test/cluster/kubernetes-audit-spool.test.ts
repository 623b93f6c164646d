import { setTimeout as sleep } from "node:timers/promises";

import { ApiException, CoreV1Api } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { chainAuditRecords } from "../../src/audit/audit-chain.ts";
import type { AuditLedger } from "../../src/audit/audit-ledger.ts";
import type { AuditRecord, PendingAuditRecord } from "../../src/audit/audit-record-schema.ts";
import { createAuditRecorder } from "../../src/audit/audit-recorder.ts";
import { buildPendingAuditRecord } from "../../src/audit/build-audit-record.ts";
import { openKubernetesAuditSpool, SPOOL_API_CALL_KEY, type KubernetesAuditSpool } from "../../src/audit/kubernetes-audit-spool.ts";
import { HOLDER_ANNOTATION, RECORDS_KEY, SPOOL_LABEL_SELECTOR, SPOOL_OBJECT_MAX_BYTES } from "../../src/audit/spool-config-map.ts";
import { KubeClient } from "../../src/providers/kubernetes/kube-client.ts";
import { makeRecordInput } from "../audit/support/audit-fixtures.ts";
import { impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const NAMESPACE = "paddock-system";
const SHORT_HOLD_MS = 1_500;
const controlPlane = useSharedControlPlane();
const admin = controlPlane.kubeConfig().makeApiClient(CoreV1Api);
const silent = pino({ enabled: false });

/** Opens a spool that acts as Paddock's service account, with its own client so its requests are counted apart. */
function openSpool(options: { holdMs?: number } = {}): { spool: KubernetesAuditSpool; client: KubeClient } {
  const client = new KubeClient({ kubeConfig: impersonate(controlPlane), logger: silent });
  return { spool: openKubernetesAuditSpool({ client, namespace: NAMESPACE, logger: silent, ...options }), client };
}

/** Creates a ledger that chains what it receives and, unlike the Git ledger, keeps duplicate ids, so a double flush shows. */
function createLedgerMock(): { ledger: AuditLedger; chain: AuditRecord[] } {
  const chain: AuditRecord[] = [];
  const ledger: AuditLedger = {
    async append(pending) {
      const last = chain.at(-1);
      const records = chainAuditRecords({ head: last ? { sequence: last.sequence, hash: last.hash } : null, pending });
      chain.push(...records);
      await sleep(20);
      return { records, duplicateIds: [] };
    },
  };
  return { ledger, chain };
}

function makeRecord(label: string, overrides: Parameters<typeof makeRecordInput>[0] = {}): PendingAuditRecord {
  return buildPendingAuditRecord({ input: makeRecordInput({ deliveryId: label, ...overrides }), now: new Date() });
}

async function listSpoolConfigMaps() {
  return (await admin.listNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: SPOOL_LABEL_SELECTOR })).items;
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
});

afterEach(async () => {
  await admin.deleteCollectionNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: SPOOL_LABEL_SELECTOR });
});

describe("kubernetes audit spool", () => {
  it("recovers acknowledged records after a crash", async () => {
    const { spool: crashed, client } = openSpool({ holdMs: SHORT_HOLD_MS });
    const before = createAuditRecorder({ spool: crashed, ledger: createLedgerMock().ledger, minAppendIntervalMs: 0 });
    const together = await Promise.all(Array.from({ length: 10 }, (_, index) => before.record(makeRecordInput({ deliveryId: `together-${index}` }))));
    const alone: PendingAuditRecord[] = [];
    for (let index = 0; index < 5; index += 1) alone.push(await before.record(makeRecordInput({ deliveryId: `alone-${index}` })));

    // Ten records made at once share one create; each later record extends the same ConfigMap.
    expect(client.counter.read(SPOOL_API_CALL_KEY).byVerb).toEqual({ create: 1, update: 5 });
    expect(await listSpoolConfigMaps()).toHaveLength(1);

    // The process dies before any flush, so its timers stop; a new instance starts once the old hold has ended.
    crashed.close();
    await sleep(SHORT_HOLD_MS + 100);
    const { ledger, chain } = createLedgerMock();
    const restarted = createAuditRecorder({ spool: openSpool().spool, ledger, minAppendIntervalMs: 0 });
    const result = await restarted.flush();

    expect(result.appended.map((record) => record.id)).toEqual([...together, ...alone].map((record) => record.id));
    expect(chain.map((record) => record.sequence)).toEqual(Array.from({ length: 15 }, (_, index) => index + 1));
    expect(await listSpoolConfigMaps()).toEqual([]);
  });

  it("leaves records held by a live instance alone", async () => {
    const { spool: live } = openSpool();
    await live.append([makeRecord("held")]);

    const { spool: other } = openSpool();

    expect(await other.list({ limit: 100 })).toEqual([]);
    expect(await live.list({ limit: 100 })).toHaveLength(1);
  });

  it("renews holds while a flush waits", async () => {
    const { spool: waiting } = openSpool({ holdMs: SHORT_HOLD_MS });
    await waiting.append([makeRecord("waiting")]);
    const listed = await waiting.list({ limit: 100 });

    await sleep(SHORT_HOLD_MS * 2);

    expect(await openSpool().spool.list({ limit: 100 })).toEqual([]);
    await waiting.remove(listed.map((record) => record.id));
    expect(await listSpoolConfigMaps()).toEqual([]);
  });

  it("flushes each record once with two replicas", async () => {
    const crashed = openSpool({ holdMs: SHORT_HOLD_MS }).spool;
    const orphans = Array.from({ length: 10 }, (_, index) => makeRecord(`orphan-${index}`));
    for (const record of orphans) await crashed.append([record]);
    crashed.close();
    await sleep(SHORT_HOLD_MS + 100);

    const { ledger, chain } = createLedgerMock();
    const replicas = [openSpool().spool, openSpool().spool].map((spool) => ({ spool, recorder: createAuditRecorder({ spool, ledger, batchSize: 7, minAppendIntervalMs: 0 }) }));
    const recorded: PendingAuditRecord[][] = [[], []];
    await Promise.all(
      replicas.map(async ({ recorder }, replica) => {
        for (let index = 0; index < 20; index += 1) {
          recorded[replica]!.push(await recorder.record(makeRecordInput({ deliveryId: `replica-${replica}-${index}` })));
          if (index % 6 === 5) await recorder.flush();
        }
      }),
    );
    await Promise.all(replicas.map(({ recorder }) => recorder.flush()));
    await Promise.all(replicas.map(({ recorder }) => recorder.flush()));

    const ids = chain.map((record) => record.id);
    const expected = [...orphans, ...recorded[0]!, ...recorded[1]!].map((record) => record.id);
    expect(ids.length).toBe(expected.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    for (const list of recorded) {
      const positions = list.map((record) => ids.indexOf(record.id));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(await listSpoolConfigMaps()).toEqual([]);
  });

  it("splits records over the ConfigMap size limit", async () => {
    const { spool } = openSpool();
    // About 123 KB each: 30 reasons of 4,096 characters, the schema's maximum length.
    const large = Array.from({ length: 10 }, (_, index) =>
      makeRecord(`large-${index}`, { decision: { allowed: true, reasons: Array.from({ length: 30 }, () => String(index).repeat(4_096)) } }),
    );
    await spool.append(large);

    const stored = await listSpoolConfigMaps();
    expect(stored.length).toBe(2);
    for (const configMap of stored) expect(Buffer.byteLength(configMap.data?.[RECORDS_KEY] ?? "")).toBeLessThanOrEqual(SPOOL_OBJECT_MAX_BYTES);
    expect((await spool.list({ limit: 100 })).map((record) => record.id)).toEqual(large.map((record) => record.id));
  });

  it("removes part of a ConfigMap", async () => {
    const { spool } = openSpool();
    const records = Array.from({ length: 5 }, (_, index) => makeRecord(`part-${index}`));
    await spool.append(records);

    const first = await spool.list({ limit: 3 });
    await spool.remove(first.map((record) => record.id));

    expect(first.map((record) => record.id)).toEqual(records.slice(0, 3).map((record) => record.id));
    expect((await spool.list({ limit: 100 })).map((record) => record.id)).toEqual(records.slice(3).map((record) => record.id));
    expect(await listSpoolConfigMaps()).toHaveLength(1);
  });

  it("removes records from a ConfigMap another writer changed", async () => {
    const { spool } = openSpool();
    const records = [makeRecord("changed-0"), makeRecord("changed-1")];
    await spool.append(records);
    const listed = await spool.list({ limit: 100 });
    // Another instance takes the ConfigMap over between this instance's list and its removal.
    const [configMap] = await listSpoolConfigMaps();
    const annotations = { ...configMap!.metadata!.annotations, [HOLDER_ANNOTATION]: "ffffffff" };
    await admin.replaceNamespacedConfigMap({ name: configMap!.metadata!.name!, namespace: NAMESPACE, body: { ...configMap!, metadata: { ...configMap!.metadata, annotations } } });

    await spool.remove([listed[0]!.id]);

    const [after] = await listSpoolConfigMaps();
    expect(after?.metadata?.annotations?.[HOLDER_ANNOTATION]).toBe("ffffffff");
    expect(after?.data?.[RECORDS_KEY]).toBe(`${JSON.stringify(records[1])}\n`);
  });
});

describe("deploy audit spool permissions", () => {
  it("rejects ConfigMaps outside the spool", async () => {
    const paddock = impersonate(controlPlane).makeApiClient(CoreV1Api);

    const outside = await paddock.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "paddock-probe" } } }).catch((error: unknown) => error);
    expect(outside instanceof ApiException ? outside.code : outside).toBe(403);

    const rootCa = await waitUntil(
      async () => {
        const error = await paddock.deleteNamespacedConfigMap({ name: "kube-root-ca.crt", namespace: NAMESPACE, dryRun: "All" }).catch((caught: unknown) => caught);
        return error instanceof ApiException && error.code === 403 ? error : undefined;
      },
      { description: "the audit spool policy to reject deleting kube-root-ca.crt" },
    );
    expect(String(rootCa.body)).toContain("Paddock may only change ConfigMaps labelled app.kubernetes.io/component=audit-spool");
  });
});
