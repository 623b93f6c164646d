import type { ExposeConfig, ImageConfig, RepoConfig, RepoEnvironment, ServiceConfig } from "../config/repo-config-schema.ts";
import { parseDurationSeconds } from "../config/units.ts";
import type { CostPolicy } from "../cost/price-table-schema.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import type { ActorClassification } from "../policy/actor-class.ts";
import { classifyActor } from "../policy/classify-actor.ts";
import { decideEnvironment, type LocatedConfig } from "../policy/decide-environment.ts";
import { describePolicySource, type OrgPolicy, type PolicySource } from "../policy/org-policy-schema.ts";
import { buildPolicyAnnotations } from "../policy/policy-annotations.ts";
import type { EnvironmentUsage, GrantedApproval, PolicyDecision } from "../policy/policy-decision.ts";
import type { EnvironmentSpec, ServiceSpec, StepSpec } from "../providers/provider.ts";
import type { EnvironmentKey } from "./environment-key.ts";
import { buildEnvironmentAnnotations, buildEnvironmentLabels } from "./environment-labels.ts";
import { nameEnvironment } from "./environment-name.ts";
import { planStack } from "./plan-stack.ts";

/** Everything Paddock will do for one event, decided without I/O. */
export interface EnvironmentPlan {
  key: EnvironmentKey;
  environment: EnvironmentSpec & { expiresAt: string };
  decision: PolicyDecision;
  steps: StepSpec[];
  /** Images built from the head commit before the services start; only the Kubernetes provider builds them. */
  images: ImageConfig[];
  /** Services started, in order, before the steps. */
  services: ServiceSpec[];
  expose?: ExposeConfig;
  source: { repository: string; sha: string; branch: string };
  /** The org policy's currency and prices, which the cost table and audit records use. */
  costPolicy?: CostPolicy;
}

/**
 * The parts of an event a plan reads. A `pullRequest.number` of null plans the environment of
 * the branch `headRef`, keyed by the branch, for a push or a workflow run without a pull
 * request. Such events leave out `headRepositoryFullName`, so no fork rule applies.
 */
export type PlanEvent = Pick<PullRequestEvent, "repository" | "sender"> & {
  pullRequest: Pick<PullRequestEvent["pullRequest"], "headSha" | "headRef"> & { number: number | null; headRepositoryFullName?: string | null };
};

/**
 * Plans the environment for a pull request or branch event. Pure. The steps come from `config` (the
 * head commit); the environment settings come from `settings` (the default branch), or from
 * `config` itself when no settings are given, as `paddock plan` does with one local file. The
 * environment gets the decision's effective settings, never the requested ones.
 */
export function planEnvironment(options: {
  event: PlanEvent;
  config: LocatedConfig<RepoConfig>;
  settings?: LocatedConfig<RepoEnvironment | undefined>;
  policy: OrgPolicy;
  policySource: PolicySource;
  actor?: ActorClassification;
  usage?: EnvironmentUsage;
  approval?: GrantedApproval;
  /**
   * The environment's key when it differs from the event's own: a pull request that took over
   * its branch's live environment keeps the branch key, so the environment keeps its name.
   */
  key?: EnvironmentKey;
  now: Date;
  /** The provider's cluster, which picks the org policy's price table for the budget projection. */
  cluster?: string;
}): EnvironmentPlan {
  const { event, config, policy, policySource, now } = options;

  // 1. Identity and name.
  const { number } = event.pullRequest;
  const key: EnvironmentKey = options.key ?? eventKey(event);
  const name = nameEnvironment({ repositoryName: event.repository.name, key });

  // 2. Policy, over the default branch's settings and the head commit's steps.
  const actor = options.actor ?? classifyActor({ evidence: actorEvidence(event), agents: policy.agents });
  const settings = options.settings ?? { ...config, value: config.value.environment };
  const steps = { ...config, value: config.value.steps };
  const { images, services, expose } = config.value;
  const stack = { ...config, value: { images, services, expose } };
  const decision = decideEnvironment({ policy, source: policySource, actor, settings, steps, stack, usage: options.usage, approval: options.approval, ...(options.cluster ? { cluster: options.cluster } : {}) });
  const { effective } = decision;

  // 3. Lifetime and metadata.
  const expiresAt = new Date(now.getTime() + effective.ttlSeconds * 1000).toISOString();
  const annotations = {
    ...buildEnvironmentAnnotations({ repository: event.repository.fullName, key, pullRequest: number, branch: event.pullRequest.headRef, headSha: event.pullRequest.headSha, expiresAt }),
    ...buildPolicyAnnotations({ actor, effective, policyLocation: describePolicySource(policySource) }),
  };

  // 4. The stack: image references, build settings and the preview host, resolved from the policy.
  const serviceSpecs = (services ?? []).map((service) => toServiceSpec(service, images ?? []));
  const stackSpec = planStack({
    images: images ?? [],
    services: serviceSpecs,
    expose,
    deploySteps: config.value.steps.some((step) => step.deploy === true),
    policy,
    repository: event.repository.fullName,
    key,
    environmentName: name,
    sha: event.pullRequest.headSha,
  });

  return {
    key,
    environment: {
      name,
      labels: buildEnvironmentLabels({ name, key, pullRequest: number }),
      annotations,
      resources: { cpu: effective.resources.cpu, memory: effective.resources.memory },
      egress: [...effective.egress],
      ttlSeconds: effective.ttlSeconds,
      expiresAt,
      ...(stackSpec === undefined ? {} : { stack: stackSpec }),
    },
    decision,
    steps: config.value.steps.map(toStepSpec),
    images: images ?? [],
    services: serviceSpecs,
    ...(expose ? { expose } : {}),
    source: { repository: event.repository.fullName, sha: event.pullRequest.headSha, branch: event.pullRequest.headRef },
    ...(policy.cost ? { costPolicy: policy.cost } : {}),
  };
}

/** Returns the event's own key: its pull request, or its branch when it has none. */
export function eventKey(event: PlanEvent): EnvironmentKey {
  const { number } = event.pullRequest;
  return number === null ? { repositoryId: event.repository.id, branch: event.pullRequest.headRef } : { repositoryId: event.repository.id, pullRequest: number };
}

/** The classification evidence a pull request or branch event carries. */
export function actorEvidence(event: PlanEvent) {
  return {
    sender: event.sender,
    repositoryFullName: event.repository.fullName,
    headRepositoryFullName: event.pullRequest.headRepositoryFullName,
    branch: event.pullRequest.headRef,
  };
}

function toStepSpec(step: RepoConfig["steps"][number]): StepSpec {
  return {
    name: step.name,
    ...(step.image ? { image: step.image } : {}),
    run: step.run,
    timeoutSeconds: parseDurationSeconds(step.timeout)!,
    env: step.env,
    ...(step.junit ? { junitPath: step.junit } : {}),
    ...(step.deploy ? { deploy: true } : {}),
  };
}

function toServiceSpec(service: ServiceConfig, images: readonly ImageConfig[]): ServiceSpec {
  const built = images.some((image) => image.name === service.image);
  return {
    name: service.name,
    image: service.image,
    ...(built ? { builtImage: service.image } : {}),
    ...(service.run ? { run: service.run } : {}),
    port: service.port,
    ready: service.ready,
    env: service.env ?? {},
    timeoutSeconds: parseDurationSeconds(service.timeout)!,
  };
}
