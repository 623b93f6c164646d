import type { EnvironmentKey } from "../environments/environment-key.ts";
import type { PushEvent } from "../github/governance-events.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import type { TeardownAudit } from "../service/paddock-service.ts";
import type { BranchRunEvent } from "../service/read-run-event.ts";

/**
 * Marker of work a replica passes on after it was responsible for it: work it let go of when it
 * lost the key, or work it took from an inbox for a key it no longer owns. The inbox already saw
 * the delivery's first hand-over, so it checks duplicates of passed-on work by this id alone.
 */
export interface PassedOn {
  /** Random id of this hand-over, so the inbox treats a second write of the same command as a duplicate. */
  passedOn?: string;
}

/** Work for an environment key that one replica hands to the replica that owns the key. */
export type HandedOverCommand =
  | ({
      kind: "pull_request";
      event: PullRequestEvent;
      /** True for a re-run, which skips the duplicate check by event identity. */
      rerun: boolean;
      /** The check run the work reports to, when the replica that handed it over had created one. */
      checkRunId?: number;
    } & PassedOn)
  | ({ kind: "push"; event: PushEvent } & PassedOn)
  /**
   * An agent branch's run that its replica let go of before the run prepared its environment.
   * The new owner runs it in `environmentName`, on the check run when one was created.
   */
  | ({ kind: "branch_run"; event: BranchRunEvent; environmentName: string; checkRunId?: number } & PassedOn)
  | { kind: "teardown"; key: EnvironmentKey; environmentName: string; reason: string; audit?: TeardownAudit }
  /** Stops the key's running and waiting work, such as a branch's runs once a pull request took its environment over. */
  | { kind: "preempt"; key: EnvironmentKey; reason: string };

/** Decides which replica runs the work for a key, and passes work on to it. */
export interface WorkRouter {
  /** True when this replica holds the Lease of the key's shard and may run its work now. */
  owns(key: string): boolean;
  /** Stores the command in the cluster for the key's owner; resolves once it is stored or found to be a duplicate. */
  handOver(key: string, command: HandedOverCommand): Promise<void>;
}
