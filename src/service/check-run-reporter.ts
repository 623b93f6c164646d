import type { CheckRunView } from "../checks/check-run-view.ts";

/** Id a sink returns from `start` when it posts no check run, such as the Action's without a token. */
export const NO_CHECK_RUN = 0;

/** Posts a check run's lifecycle to GitHub; implemented by the checks reporter. */
export interface CheckRunSink {
  start(view: CheckRunView): Promise<number>;
  update(id: number, view: CheckRunView): Promise<void>;
  complete(id: number, view: CheckRunView): Promise<void>;
  /** Creates an already completed check run in one request, for work that never started. */
  createCompleted(view: CheckRunView): Promise<number>;
}
