import type { ConfigProblem } from "../config/config-problem.ts";
import type { PendingAuditRecord } from "../audit/audit-record-schema.ts";
import type { CostView } from "../cost/cost-view.ts";
import type { ProjectedCost } from "../policy/policy-decision.ts";
import type { StepResult, StepStatus } from "../pipeline/step-result.ts";

/** Conclusions Paddock gives a completed check run (a subset of GitHub's). */
export type PipelineConclusion = "success" | "failure" | "neutral" | "cancelled" | "timed_out" | "action_required";

/** A failed test case from a report, located in the repository. */
export interface TestFailure {
  /** Repository-relative path of the test file; empty when the report names no repository file. */
  file: string;
  /** 1-based line; 1 when the report does not say. */
  line: number;
  /** Test name, such as `math > adds`. */
  title: string;
  /** First line of the failure message. */
  message: string;
  /** Longer detail such as a stack trace, bounded in size. */
  details?: string;
}

/** Test counts from a step's report; `failures` may list fewer cases than `failed + errors`. */
export interface TestCounts {
  total: number;
  failed: number;
  errors: number;
  skipped: number;
}

/** One row of the check run's progress table. */
export interface StepProgress {
  name: string;
  status: StepStatus;
  durationMs?: number;
  result?: StepResult;
  failures?: TestFailure[];
  /** Counts from the step's test report, when it had one. */
  tests?: TestCounts;
  /** Set when the step's report could not be read or parsed. */
  reportProblem?: string;
}

/** One row of the check run's services table. */
export interface ServiceProgress {
  name: string;
  status: "starting" | "ready" | "failed" | "skipped";
  /** Milliseconds from the service's start to its first passing ready check. */
  readyMs?: number;
  /** Why the service failed, such as "service web was not ready after 5m: connection refused on port 8080". */
  reason?: string;
  /** Last lines of the service's output, for a failure. */
  outputTail?: string;
}

/** A policy rule broken by a line of a repository config, shown as an annotation on that line. */
export interface LocatedViolation {
  file: string;
  line: number;
  column: number;
  field: string;
  rule: string;
  message: string;
}

/** The policy decision as the check run shows it. */
export interface DecisionView {
  allowed: boolean;
  /** Undefined means allowed or denied as `allowed` says; `approval_required` waits for an approval. */
  verdict?: "allowed" | "denied" | "approval_required";
  reasons: string[];
  /** The policy judged under, such as `org policy acme/.github/.github/paddock-policy.yml@1a2b3c4d5e6f`. */
  source?: string;
  violations?: LocatedViolation[];
  /** The environment's cost for its whole TTL, which the budgets judge; absent when the decision has none. */
  budgetProjection?: ProjectedCost;
}

/** A button on a check run, in the field names of GitHub's Checks API. */
export interface CheckRunAction {
  /** At most 20 characters. */
  label: string;
  /** At most 40 characters. */
  description: string;
  /** At most 20 characters; sent back in the `check_run.requested_action` webhook. */
  identifier: string;
}

/** Everything a check run shows, kept as data so that rendering stays pure. */
export interface CheckRunView {
  environmentName: string;
  headSha: string;
  provider: "local" | "kubernetes";
  status: "queued" | "in_progress" | "completed";
  conclusion?: PipelineConclusion;
  /** One line explaining the conclusion, such as "Cancelled: superseded by 1a2b3c4". */
  headline?: string;
  steps: StepProgress[];
  /** Services started before the steps; left out when the config lists none. */
  services?: ServiceProgress[];
  configProblems: ConfigProblem[];
  decision?: DecisionView;
  /** Buttons shown on the completed check run, such as the approval of a fork pull request. */
  actions?: CheckRunAction[];
  /** Extra lines for the summary, such as where the config came from. */
  notes: CheckRunNote[];
  /** Cost of the steps, the total so far and the projection; left out when nothing was metered. */
  cost?: CostView;
  /** Audit records of this run, mirrored on the check run as notice annotations. */
  auditRecords?: PendingAuditRecord[];
  /** URL of the exposed service once every service is ready, for a GitHub deployment status. */
  previewUrl?: string;
}

/** A line of the summary's notes, or a line followed by a fenced code block, such as a config example. */
export type CheckRunNote = string | { text: string; code: { language: string; content: string } };
