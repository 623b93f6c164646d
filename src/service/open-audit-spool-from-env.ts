import { join } from "node:path";

import type { Logger } from "pino";

import type { AuditSpool } from "../audit/audit-spool.ts";
import { openFileAuditSpool } from "../audit/file-audit-spool.ts";
import { openKubernetesAuditSpool } from "../audit/kubernetes-audit-spool.ts";
import { PaddockError } from "../errors.ts";
import { KubeClient } from "../providers/kubernetes/kube-client.ts";
import { readKubeConfig } from "./create-provider-from-env.ts";

/** Pattern of a Kubernetes namespace name (DNS-1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Opens the spool PADDOCK_AUDIT_SPOOL names: `file` (the default), a journal under
 * `<stateDir>/audit`, or `kubernetes`, ConfigMaps in the namespace PADDOCK_NAMESPACE names,
 * reached with the same credentials as the Kubernetes provider. Without a ledger nothing would
 * empty the ConfigMaps, so `kubernetes` then falls back to the file spool and logs a warning.
 */
export async function openAuditSpoolFromEnv(options: { env: NodeJS.ProcessEnv; stateDir: string; hasLedger: boolean; logger: Logger }): Promise<AuditSpool> {
  const { env, stateDir, hasLedger, logger } = options;
  const kind = env.PADDOCK_AUDIT_SPOOL ?? "file";
  if (kind !== "file" && kind !== "kubernetes") {
    throw new PaddockError("USAGE", `PADDOCK_AUDIT_SPOOL=${kind} is invalid`, { hint: "set file (the default) or kubernetes" });
  }
  const openFile = () => openFileAuditSpool({ directory: join(stateDir, "audit") });
  if (kind === "file") return openFile();

  if (!hasLedger) {
    logger.warn("PADDOCK_AUDIT_SPOOL=kubernetes needs PADDOCK_AUDIT_REPOSITORY, because without a ledger the ConfigMaps would only grow; using the file spool");
    return openFile();
  }
  const namespace = env.PADDOCK_NAMESPACE ?? "";
  if (!NAMESPACE_NAME.test(namespace)) {
    throw new PaddockError("USAGE", `PADDOCK_NAMESPACE=${namespace} is not a namespace name`, {
      hint: "set it to the namespace Paddock runs in, such as paddock-system; deploy/50-deployment.yaml sets it from the pod's namespace",
    });
  }
  const loadKubeConfig = () => readKubeConfig(env);
  const client = new KubeClient({ kubeConfig: loadKubeConfig(), loadKubeConfig, logger });
  const spool = openKubernetesAuditSpool({ client, namespace, logger });
  logger.info({ namespace, instanceId: spool.instanceId }, "audit spool in kubernetes ConfigMaps");
  return spool;
}
