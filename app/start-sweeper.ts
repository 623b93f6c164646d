import type { Probot } from "probot";
import type { GitHubRequester } from "../src/github/repository-gateway.ts";
import { createCheckRunReporter } from "../src/checks/report-check-run.ts";
import type { PaddockService } from "../src/service/paddock-service.ts";
import type { SweepTarget } from "../src/service/sweep-environments.ts";

/**
 * Runs the sweeper at start and then every `intervalMs`, with GitHub access through the app's
 * own installations, one client per installation and sweep. Returns a function that stops it.
 * With `isSweeper`, a sweep runs only when it returns true, and interrupted runs are left to the
 * replicas that acquire their shards.
 */
export function startSweeper(options: { app: Probot; service: PaddockService; intervalMs: number; isSweeper?: () => boolean }): () => void {
  const { app, service, intervalMs, isSweeper } = options;

  let running = false;
  const sweep = async (): Promise<void> => {
    if (running || (isSweeper && !isSweeper())) return;
    running = true;
    try {
      await service.sweep({ githubFor: createClientCache(app) });
    } catch (error) {
      app.log.error({ err: error }, "sweep failed");
    } finally {
      running = false;
    }
  };

  // Runs a crash or SIGKILL interrupted are reported first, then the first sweep runs.
  if (isSweeper) void sweep();
  else void recover({ app, service }).finally(() => void sweep());
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Returns the sweeper's GitHub access for one sweep. Clients are made once per installation and
 * shared by its repositories. A repository whose environments recorded no installation costs one
 * lookup; a repository where the app is not installed (404) gets undefined.
 */
function createClientCache(app: Probot): (target: SweepTarget) => Promise<GitHubRequester | undefined> {
  const clients = new Map<number, Promise<GitHubRequester>>();
  const clientFor = (installationId: number): Promise<GitHubRequester> => {
    const client = clients.get(installationId) ?? app.auth(installationId).then((octokit) => octokit as unknown as GitHubRequester);
    clients.set(installationId, client);
    return client;
  };

  return async ({ repository, installationId }) => {
    if (installationId !== undefined) return clientFor(installationId);
    const [owner, repo] = repository.split("/");
    const appClient = await app.auth();
    try {
      const installation = await appClient.request("GET /repos/{owner}/{repo}/installation", { owner: owner!, repo: repo! });
      return await clientFor(installation.data.id);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  };
}

async function recover(options: { app: Probot; service: PaddockService }): Promise<void> {
  const { app, service } = options;
  try {
    await service.recoverRuns({
      sinkFor: async (run) => {
        const [owner, repo] = run.repository.split("/");
        const octokit = await app.auth(run.installationId);
        return createCheckRunReporter({ octokit, owner: owner!, repo: repo!, logger: app.log });
      },
    });
  } catch (error) {
    app.log.error({ err: error }, "recovering interrupted runs failed");
  }
}
