import type { PendingAuditRecord } from "../audit/audit-record-schema.ts";
import { describeRecordCost } from "../audit/build-audit-record.ts";
import type { AuditRecordInput } from "../audit/build-audit-record.ts";
import { meterStepResult } from "../cost/meter-step-result.ts";
import { resolvePriceTable, type PriceTable } from "../cost/price-table.ts";
import { describePolicySource } from "../policy/org-policy-schema.ts";
import type { PolicyDecision } from "../policy/policy-decision.ts";
import type { PlanEvent } from "../environments/plan-environment.ts";
import { DetachError, type Provider } from "../providers/provider.ts";
import type { AuditTrail } from "./audit-trail.ts";
import { NO_CHECK_RUN, type CheckRunSink } from "./check-run-reporter.ts";

/** The event a run's records name: a pull request event, or a branch run whose pull request number is null. */
export type AuditedEvent = PlanEvent & { deliveryId: string | null };

/** What every record of one run shares; `checkRunId` is filled in once the check run exists. */
export interface RunAuditContext {
  event: AuditedEvent;
  /** The AI agent behind the actor, when the caller classified one; records name no agent without it. */
  agent?: PendingAuditRecord["agent"];
  environmentName: string;
  provider: Provider["kind"];
  /** The provider's cluster name, when PADDOCK_CLUSTER sets one. */
  cluster?: string;
  checkRunId: number | null;
  /** Records made for this run, mirrored on its check run when it completes. */
  records: PendingAuditRecord[];
  /** The policy, decision and authorizer of the run, once it was judged; see `describeJudgementForAudit`. */
  judgement?: Pick<AuditRecordInput, "policy" | "decision" | "authorizer">;
  /** Prices of the org policy the run was judged under; OpenCost's defaults until then. */
  prices?: PriceTable;
}

/**
 * Describes what a judged plan contributes to each later record: the policy file and its hash,
 * the decision and its reasons, and who allowed the run. An allowed run is authorized by the
 * approval it relied on, or else by the org policy itself (login and id null).
 */
export function describeJudgementForAudit(decision: PolicyDecision): Pick<AuditRecordInput, "policy" | "decision" | "authorizer"> {
  const { source } = decision;
  const policy = { source: source.kind, location: source.location ? source.location : null, hash: source.sha256 ?? null };
  let authorizer: AuditRecordInput["authorizer"] = null;
  if (decision.allowed) {
    authorizer = decision.approval
      ? { login: decision.approval.login, id: null, via: `approval by a collaborator with ${decision.approval.permission} permission` }
      : { login: null, id: null, via: describePolicySource(source) };
  }
  return { policy, decision: { allowed: decision.allowed, reasons: [...decision.reasons] }, authorizer };
}

/** Builds the fields every record of the run carries. */
export function describeRunForAudit(context: RunAuditContext): Omit<AuditRecordInput, "action"> {
  const { event } = context;
  return {
    actor: { login: event.sender.login, id: event.sender.id, type: event.sender.type },
    ...(context.agent ? { agent: context.agent } : {}),
    repository: { id: event.repository.id, fullName: event.repository.fullName },
    pullRequest: event.pullRequest.number,
    branch: event.pullRequest.headRef,
    headSha: event.pullRequest.headSha,
    deliveryId: event.deliveryId,
    checkRunId: context.checkRunId,
    ...context.judgement,
    environment: {
      name: context.environmentName,
      provider: context.provider,
      cluster: context.cluster ?? null,
      namespace: context.provider === "kubernetes" ? context.environmentName : null,
    },
  };
}

/**
 * Wraps a provider so that preparing an environment and each step's start and end leave audit
 * records, with the step's cost, before the pipeline moves on. A step left running by a
 * DetachError gets no end record here.
 */
export function auditProvider(options: { provider: Provider; trail: AuditTrail; context: RunAuditContext }): Provider {
  const { provider, trail, context } = options;
  const record = async (input: Pick<AuditRecordInput, "action" | "step" | "cost">) => {
    const stored = await trail.record({ ...describeRunForAudit(context), ...input });
    if (stored) context.records.push(stored);
  };

  return {
    ...provider,
    kind: provider.kind,
    async prepare(prepareOptions) {
      const prepared = await provider.prepare(prepareOptions);
      await record({ action: prepared.created === false ? "environment.updated" : "environment.created" });
      return prepared;
    },
    async runStep(stepOptions) {
      const { step } = stepOptions;
      await record({ action: "step.started", step: { name: step.name, status: "running", exitCode: null, durationMs: null } });
      const result = await provider.runStep(stepOptions);
      // A detached step runs on, and the replica that adopts it records its end.
      if (stepOptions.signal.reason instanceof DetachError) return result;
      const cost = meterStepResult({ result, resources: stepOptions.prepared.environment.resources, prices: context.prices ?? resolvePriceTable({}) });
      await record({
        action: "step.finished",
        step: { name: step.name, status: result.status, exitCode: result.exitCode, durationMs: Math.round(result.durationMs) },
        cost: describeRecordCost(cost),
      });
      return result;
    },
    // Service starts leave no record of their own, because records have no field for a service; the steps they serve do.
    ...(provider.startServices ? { startServices: (servicesOptions: Parameters<NonNullable<Provider["startServices"]>>[0]) => provider.startServices!(servicesOptions) } : {}),
    teardown: (teardownOptions) => provider.teardown(teardownOptions),
    listEnvironments: () => provider.listEnvironments(),
  };
}

/**
 * Wraps a check-run sink so that a denied or cancelled run, including a commit superseded before
 * its run started, leaves its audit record, and the run's records are mirrored on the check run as notice annotations when it completes.
 */
export function auditSink(options: { sink: CheckRunSink; trail: AuditTrail; context: RunAuditContext }): CheckRunSink {
  const { sink, trail, context } = options;
  return {
    start: async (view) => {
      const id = await sink.start(view);
      context.checkRunId = id === NO_CHECK_RUN ? null : id;
      return id;
    },
    update: (id, view) => sink.update(id, view),
    // A commit superseded before its run started: its one check run mirrors its one record.
    async createCompleted(view) {
      if (view.conclusion !== "cancelled") return sink.createCompleted(view);
      const stored = await trail.record({ ...describeRunForAudit(context), action: "run.cancelled" });
      return sink.createCompleted(stored ? { ...view, auditRecords: [stored] } : view);
    },
    async complete(id, view) {
      const base = describeRunForAudit({ ...context, checkRunId: id === NO_CHECK_RUN ? null : id });
      let stored: PendingAuditRecord | undefined;
      if (view.decision && !view.decision.allowed) {
        stored = await trail.record({ ...base, action: "policy.denied", decision: { allowed: false, reasons: view.decision.reasons } });
      } else if (view.conclusion === "cancelled") {
        stored = await trail.record({ ...base, action: "run.cancelled" });
      }
      if (stored) context.records.push(stored);
      await sink.complete(id, { ...view, auditRecords: [...context.records] });
    },
  };
}
