import type { RepoConfig } from "../config/repo-config-schema.ts";
import { parseDurationSeconds } from "../config/units.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import { decideEnvironment, type PolicyDecision } from "../policy/decide-environment.ts";
import type { OrgPolicy, PolicySource } from "../policy/org-policy-schema.ts";
import type { EnvironmentSpec, StepSpec } from "../providers/provider.ts";
import type { EnvironmentKey } from "./environment-key.ts";
import { buildEnvironmentAnnotations, buildEnvironmentLabels } from "./environment-labels.ts";
import { nameEnvironment } from "./environment-name.ts";

/** Everything Paddock will do for one event, decided without I/O. */
export interface EnvironmentPlan {
  key: EnvironmentKey;
  environment: EnvironmentSpec & { expiresAt: string };
  decision: PolicyDecision;
  steps: StepSpec[];
  source: { repository: string; sha: string; branch: string };
}

/** Plans the environment for a pull request event from its config and the org policy. Pure. */
export function planEnvironment(options: {
  event: Pick<PullRequestEvent, "repository" | "pullRequest">;
  config: RepoConfig;
  policy: OrgPolicy;
  policySource: PolicySource;
  now: Date;
}): EnvironmentPlan {
  const { event, config, policy, policySource, now } = options;

  // 1. Identity and name.
  const key: EnvironmentKey = { repositoryId: event.repository.id, pullRequest: event.pullRequest.number };
  const name = nameEnvironment({ repositoryName: event.repository.name, key });

  // 2. Lifetime and metadata.
  const ttlSeconds = parseDurationSeconds(config.environment.ttl)!;
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  const annotations = buildEnvironmentAnnotations({
    repository: event.repository.fullName,
    key,
    branch: event.pullRequest.headRef,
    headSha: event.pullRequest.headSha,
    expiresAt,
  });

  // 3. Policy and steps.
  const decision = decideEnvironment({ config, policy, source: policySource });
  const steps: StepSpec[] = config.steps.map((step) => ({
    name: step.name,
    ...(step.image ? { image: step.image } : {}),
    run: step.run,
    timeoutSeconds: parseDurationSeconds(step.timeout)!,
    env: step.env,
    ...(step.junit ? { junitPath: step.junit } : {}),
  }));

  return {
    key,
    environment: {
      name,
      labels: buildEnvironmentLabels({ name, key }),
      annotations,
      resources: { ...config.environment.resources },
      egress: [...config.environment.egress],
      ttlSeconds,
      expiresAt,
    },
    decision,
    steps,
    source: { repository: event.repository.fullName, sha: event.pullRequest.headSha, branch: event.pullRequest.headRef },
  };
}
