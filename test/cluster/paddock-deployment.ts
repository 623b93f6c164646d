import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { ApiException, CoreV1Api, KubeConfig } from "@kubernetes/client-node";

import { buildEnvironmentAnnotations, buildEnvironmentLabels } from "../../src/environments/environment-labels.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import type { EnvironmentSpec, SourceSpec } from "../../src/providers/provider.ts";
import type { ControlPlaneClients, ControlPlaneConnection } from "./kubeconfig.ts";
import { waitUntil } from "./wait-until.ts";

/** The user that deploy/ creates for Paddock, as the API server names it. */
export const PADDOCK_USER = "system:serviceaccount:paddock-system:paddock";
/** The directory of the deployment manifests. */
export const DEPLOY_DIR = fileURLToPath(new URL("../../deploy/", import.meta.url));

const run = promisify(execFile);

/**
 * Applies every manifest in deploy/ as admin with the control plane's own kubectl and
 * `apply --server-side`, through a kubeconfig file that lives only as long as the call. Resolves
 * once the admission policy is in force, which takes the API server a moment after it is applied.
 */
export async function installPaddockDeployment(controlPlane: ControlPlaneConnection & ControlPlaneClients): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "paddock-deploy-"));
  try {
    const kubeconfig = join(directory, "admin.yaml");
    await writeFile(kubeconfig, controlPlane.kubeconfigYaml("admin"), { mode: 0o600 });
    await run(join(controlPlane.binDir, "kubectl"), ["--kubeconfig", kubeconfig, "apply", "--server-side", "--field-manager=paddock-test", "-f", DEPLOY_DIR]);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  await waitForAdmissionPolicy(controlPlane);
}

async function waitForAdmissionPolicy(controlPlane: ControlPlaneClients): Promise<void> {
  const core = impersonate(controlPlane).makeApiClient(CoreV1Api);
  await waitUntil(
    async () => {
      try {
        await core.createNamespacedSecret({ namespace: "default", dryRun: "All", body: { metadata: { name: "policy-probe" }, stringData: { probe: "x" } } });
        return undefined;
      } catch (error) {
        return error instanceof ApiException && error.code === 403 ? true : undefined;
      }
    },
    { description: "the paddock admission policy to reject a secret in namespace default" },
  );
}

/** Returns a KubeConfig of the admin user that impersonates `user`, so RBAC judges every request as that user. */
export function impersonate(controlPlane: ControlPlaneClients, user: string = PADDOCK_USER): KubeConfig {
  const admin = controlPlane.kubeConfig("admin");
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: admin.clusters,
    contexts: admin.contexts,
    currentContext: admin.currentContext,
    users: admin.users.map((adminUser) => ({ ...adminUser, impersonateUser: user })),
  });
  return kubeConfig;
}

/** Builds an environment spec as the planner does, for a branch of a repository. */
export function buildBranchEnvironment(options: {
  repository: string;
  branch: string;
  repositoryId?: number;
  egress?: string[];
  resources?: { cpu: string; memory: string };
}): EnvironmentSpec {
  const key = { repositoryId: options.repositoryId ?? randomRepositoryId(), branch: options.branch };
  const name = nameEnvironment({ repositoryName: options.repository.split("/").pop() ?? options.repository, key });
  return {
    name,
    labels: buildEnvironmentLabels({ name, key }),
    annotations: buildEnvironmentAnnotations({ repository: options.repository, key, branch: options.branch, headSha: "c".repeat(40), expiresAt: "2030-01-01T00:00:00.000Z" }),
    resources: options.resources ?? { cpu: "500m", memory: "512Mi" },
    egress: options.egress ?? [],
    ttlSeconds: 3600,
  };
}

/** Builds a tarball source whose credential names a host that no test reaches, because kwok runs no containers. */
export function buildTestSource(sha: string = "c".repeat(40)): SourceSpec {
  return {
    kind: "tarball",
    sha,
    open: () => Promise.reject(new Error("the Kubernetes provider must not open the tarball itself")),
    credential: async () => ({ url: "https://tarball.invalid/commit.tar.gz", token: `token-${randomBytes(4).toString("hex")}`, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
  };
}

function randomRepositoryId(): number {
  return randomBytes(4).readUInt32BE(0);
}
