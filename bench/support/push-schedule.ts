/** One `pull_request.synchronize` delivery of a load run: which pull request gets which new head, and when. */
export interface ScheduledPush {
  /** Offset from the start of the run, in ms. */
  atMs: number;
  /** Index of the installation, from 0. */
  installation: number;
  /** Pull request number within the installation's repository, from 1. */
  pullRequest: number;
  headSha: string;
  /** True for the later pushes of a burst, which a newer push may supersede. */
  inBurst: boolean;
}

/**
 * Builds a deterministic schedule of `events` pushes spread over `installations` in turn, each
 * with `pullRequests` open pull requests. Pushes come at `ratePerSecond` on average; one group
 * in `burstEvery` is a burst of `burstSize` pushes to one pull request 200 ms apart, as an AI
 * agent pushes. A fixed-seed generator picks pull requests and bursts, so runs are comparable.
 */
export function buildPushSchedule(options: { events: number; installations: number; pullRequests: number; ratePerSecond: number; burstEvery: number; burstSize: number; seed?: number }): ScheduledPush[] {
  const random = mulberry32(options.seed ?? 20_260_301);
  const spacingMs = 1000 / options.ratePerSecond;
  const pushes: ScheduledPush[] = [];
  let slot = 0;
  let group = 0;

  while (pushes.length < options.events) {
    const installation = group % options.installations;
    const pullRequest = 1 + Math.floor(random() * options.pullRequests);
    const burst = random() < 1 / options.burstEvery ? options.burstSize : 1;
    group += 1;
    for (let index = 0; index < burst && pushes.length < options.events; index += 1) {
      const sequence = pushes.length;
      pushes.push({
        atMs: Math.round(slot * spacingMs + index * 200),
        installation,
        pullRequest,
        headSha: sequence.toString(16).padStart(8, "0").padEnd(40, "a"),
        inBurst: index > 0,
      });
    }
    slot += burst;
  }
  return pushes.sort((left, right) => left.atMs - right.atMs);
}

// A small seeded generator (Tommy Ettinger's mulberry32), enough to spread pushes evenly.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
