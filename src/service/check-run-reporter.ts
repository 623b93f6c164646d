import type { CheckRunView } from "../checks/check-run-view.ts";

/** Posts a check run's lifecycle to GitHub; implemented by the checks reporter, faked nowhere. */
export interface CheckRunSink {
  start(view: CheckRunView): Promise<number>;
  update(id: number, view: CheckRunView): Promise<void>;
  complete(id: number, view: CheckRunView): Promise<void>;
}
