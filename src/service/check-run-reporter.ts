import type { CheckRunView } from "../checks/check-run-view.ts";

/** Posts a check run's lifecycle to GitHub; implemented by the checks reporter. */
export interface CheckRunSink {
  start(view: CheckRunView): Promise<number>;
  update(id: number, view: CheckRunView): Promise<void>;
  complete(id: number, view: CheckRunView): Promise<void>;
  /** Creates an already completed check run in one request, for work that never started. */
  createCompleted(view: CheckRunView): Promise<number>;
}
