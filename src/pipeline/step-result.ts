/** Status of one step as it moves through a pipeline. */
export type StepStatus = "queued" | "running" | "success" | "failure" | "timed_out" | "cancelled" | "skipped";

/**
 * A test report a step produced, read back by the provider after the step ends: the raw JUnit
 * XML, or the compact JSON summary of it that a step writes to its container's termination
 * message (see `src/pipeline/junit-summary.ts`).
 */
export interface StepReport {
  format: "junit-xml" | "junit-summary";
  /** Repository-relative path the step wrote the JUnit XML to. */
  path: string;
  content: string;
}

/** Resource usage of a finished step, as far as the provider can measure it. */
export interface StepUsage {
  cpuSeconds: number;
  peakMemoryBytes: number;
  /** Source of the figures: the sandbox's own accounting, or peaks of metrics API samples. */
  source?: "sandbox" | "metrics-api";
  /** Number of metrics API samples the peaks come from. */
  samples?: number;
}

/** What a provider returns for one step. */
export interface StepResult {
  name: string;
  status: Exclude<StepStatus, "queued" | "running" | "skipped">;
  /** Exit code of the step's command; null when it was killed or never started. */
  exitCode: number | null;
  startedAt: string;
  durationMs: number;
  /** Last lines of combined output, bounded in size; the full log is at `logPath`. */
  outputTail: string;
  /** True when earlier output was dropped from `outputTail`. */
  outputTruncated: boolean;
  /** Absolute path of the full log on disk, when the provider keeps one. */
  logPath?: string;
  /** One line that explains a non-success status, such as "timed out after 10m". */
  reason?: string;
  report?: StepReport;
  usage?: StepUsage;
  /** Reason the provider has no usage for the step, such as a cluster without the metrics API; cost then uses requests. */
  usageGap?: string;
}
