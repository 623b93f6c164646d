import { buildPullRequestPayload, type PullRequestPayload } from "../test/loopback-github/webhook-payloads.ts";

/** Share of deliveries that resend an earlier delivery unchanged, as GitHub's redelivery does. */
export const REDELIVERY_SHARE = 0.15;
/** Share that send a pull request's latest event again under a new delivery id, as a second hook would. */
export const SECOND_HOOK_SHARE = 0.05;
/** Share that close an open pull request; its next event reopens it. */
export const CLOSE_SHARE = 0.01;
/** Earlier deliveries a redelivery picks from. */
const REDELIVERY_WINDOW = 1_000;

/** The kinds of delivery the traffic sends. */
export type DeliveryKind = "new-commit" | "redelivery" | "second-hook" | "closed" | "reopened";

/** One signed-ready delivery. */
export interface ReplayDelivery {
  kind: DeliveryKind;
  id: string;
  body: string;
  /** The pull request state GitHub should serve once this delivery is sent. */
  pull: { owner: string; repo: string; payload: PullRequestPayload };
}

interface PullState {
  payload: PullRequestPayload;
  open: boolean;
  commits: number;
  last: ReplayDelivery | undefined;
}

/** A repository the traffic's pull requests belong to. */
export interface ReplayRepository {
  owner: string;
  repo: string;
  id: number;
  installationId: number;
}

/**
 * Generates pull_request deliveries for a fixed set of pull requests: mostly new commits (which
 * supersede the previous one), with redeliveries of earlier deliveries, the same event again
 * under a new delivery id, and closes followed by reopens. Draws are seeded, so two runs with
 * the same settings send the same kinds in the same order.
 *
 * Pull requests take turns: in each round of `roundMs`, only half of them get deliveries, so the
 * other half go quiet long enough for their pending runs to start.
 */
export class ReplayTraffic {
  readonly #pulls: PullState[];
  readonly #recent: ReplayDelivery[] = [];
  readonly #random: () => number;
  readonly #roundMs: number;
  #sent = 0;

  constructor(options: { repositories: ReplayRepository[]; pullsPerRepository: number; roundMs: number; seed: number }) {
    this.#random = mulberry32(options.seed);
    this.#roundMs = options.roundMs;
    this.#pulls = options.repositories.flatMap((repository) =>
      Array.from({ length: options.pullsPerRepository }, (_, index) => {
        const number = index + 1;
        // Each pull request has its own author, so the default per-actor cap of live environments denies none.
        const sender = { login: `developer-${repository.id}-${number}`, id: repository.id * 1_000 + number, type: "User" };
        const payload = buildPullRequestPayload({ action: "opened", ...repository, repositoryId: repository.id, number, headSha: shaOf(repository.id, number, 0), sender });
        return { payload, open: true, commits: 0, last: undefined };
      }),
    );
  }

  /** Every pull request as GitHub should serve it before the first delivery. */
  initialPulls(): ReplayDelivery["pull"][] {
    return this.#pulls.map((pull) => ({ owner: pull.payload.repository.owner.login, repo: pull.payload.repository.name, payload: pull.payload }));
  }

  /** Returns the next delivery; `elapsedMs` decides which half of the pull requests is active. */
  next(elapsedMs: number): ReplayDelivery {
    this.#sent += 1;
    const draw = this.#random();
    if (draw < REDELIVERY_SHARE && this.#recent.length > 0) {
      const earlier = this.#recent[Math.floor(this.#random() * this.#recent.length)]!;
      return { ...earlier, kind: "redelivery" };
    }

    const round = Math.floor(elapsedMs / this.#roundMs);
    const active = this.#pulls.filter((_, index) => (index + round) % 2 === 0);
    const pull = active[Math.floor(this.#random() * active.length)]!;
    let delivery: ReplayDelivery;
    if (draw < REDELIVERY_SHARE + SECOND_HOOK_SHARE && pull.last) {
      delivery = { ...pull.last, kind: "second-hook", id: deliveryIdOf(this.#sent) };
    } else if (!pull.open) {
      delivery = this.#emit(pull, "reopened");
    } else if (draw < REDELIVERY_SHARE + SECOND_HOOK_SHARE + CLOSE_SHARE) {
      delivery = this.#emit(pull, "closed");
    } else {
      pull.commits += 1;
      delivery = this.#emit(pull, "new-commit");
    }
    this.#remember(delivery);
    return delivery;
  }

  #emit(pull: PullState, kind: "new-commit" | "closed" | "reopened"): ReplayDelivery {
    const { payload } = pull;
    const action = kind === "new-commit" ? "synchronize" : kind;
    pull.open = kind !== "closed";
    (payload as { action: string }).action = action;
    payload.pull_request.state = pull.open ? "open" : "closed";
    payload.pull_request.head.sha = shaOf(payload.repository.id, payload.pull_request.number, pull.commits);
    const delivery: ReplayDelivery = {
      kind,
      id: deliveryIdOf(this.#sent),
      body: JSON.stringify(payload),
      pull: { owner: payload.repository.owner.login, repo: payload.repository.name, payload },
    };
    pull.last = delivery;
    return delivery;
  }

  #remember(delivery: ReplayDelivery): void {
    this.#recent.push(delivery);
    if (this.#recent.length > REDELIVERY_WINDOW) this.#recent.shift();
  }
}

/** Returns a delivery id shaped like GitHub's `X-GitHub-Delivery` GUIDs, unique in the run. */
export function deliveryIdOf(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

/** Returns commit `index` of a pull request as 40 hex digits, unique in the run. */
function shaOf(repositoryId: number, number: number, index: number): string {
  return `${repositoryId.toString(16).padStart(8, "0")}${number.toString(16).padStart(8, "0")}${index.toString(16).padStart(24, "0")}`;
}

/** A small seeded PRNG (mulberry32); returns numbers in [0, 1). */
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
