import { toApiAnnotation, toApiObject } from "./fake-github-check-run-objects.ts";
import {
  githubErrorBody,
  jsonResponse,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
} from "./fake-github-types.ts";

/** One annotation as the check-run create and update bodies carry it. */
export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  start_column?: number;
  end_column?: number;
  title?: string;
  raw_details?: string;
}

/** A check run as the fake stores it; `annotations` collects every create and update. */
export interface FakeCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  details_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: CheckRunAnnotation[];
  images: unknown[];
  actions: unknown[];
  /** How many update requests changed this check run. */
  updateCount: number;
}

/** The in-memory check runs of the fake and the handlers that serve them. */
export interface CheckRunStore {
  handlers: Record<string, FakeHandler>;
  /** Returns copies of every check run, oldest first. */
  list(): FakeCheckRun[];
}

type Body = Record<string, unknown>;

/** Creates the check-run store: create, update, get, list for a ref, and list annotations. */
export function createCheckRunStore(options: { appId: number; now: () => Date }): CheckRunStore {
  const runs: FakeCheckRun[] = [];
  const find = (request: FakeRequest) => findRun(runs, request);

  return {
    list: () => structuredClone(runs),
    handlers: {
      "POST /repos/{owner}/{repo}/check-runs": (request) => {
        const run = newRun(runs.length + 1, request);
        const problem = applyChanges(run, request.body as Body, options.now());
        if (problem) return unprocessable(request, problem);
        runs.push(run);
        return jsonResponse(201, toApiObject(run, options.appId));
      },
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}": (request) => {
        const stored = find(request);
        if (!stored) return notFound(request);
        const run = structuredClone(stored);
        const problem = applyChanges(run, request.body as Body, options.now());
        if (problem) return unprocessable(request, problem);
        run.updateCount += 1;
        Object.assign(stored, run);
        return jsonResponse(200, toApiObject(stored, options.appId));
      },
      "GET /repos/{owner}/{repo}/check-runs/{check_run_id}": (request) => {
        const run = find(request);
        return run ? jsonResponse(200, toApiObject(run, options.appId)) : notFound(request);
      },
      "GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations": (request) => {
        const run = find(request);
        if (!run) return notFound(request);
        return jsonResponse(200, paginate(run.annotations.map((item) => toApiAnnotation(run, item)), request));
      },
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs": (request) => {
        const matching = filterForRef(runs, request, options.appId);
        const page = paginate(matching, request).map((run) => toApiObject(run, options.appId));
        return jsonResponse(200, { total_count: matching.length, check_runs: page });
      },
    },
  };
}

function newRun(id: number, request: FakeRequest): FakeCheckRun {
  const body = request.body as Body;
  return {
    id,
    owner: request.params.owner ?? "",
    repo: request.params.repo ?? "",
    name: String(body.name),
    head_sha: String(body.head_sha),
    status: "queued",
    conclusion: null,
    external_id: null,
    details_url: null,
    started_at: null,
    completed_at: null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    images: [],
    actions: [],
    updateCount: 0,
  };
}

/**
 * Applies a create or update body the way GitHub documents it: a `conclusion` sets the status
 * to `completed`, output fields replace the old ones, and annotations and images are appended.
 * Returns GitHub's 422 message when the result is a completed run without a conclusion.
 */
function applyChanges(run: FakeCheckRun, body: Body, now: Date): string | undefined {
  const timestamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  for (const field of ["name", "external_id", "details_url"] as const) {
    if (typeof body[field] === "string") run[field] = body[field];
  }

  if (typeof body.status === "string") run.status = body.status;
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion;
    run.status = "completed";
  }
  if (typeof body.completed_at === "string" && run.conclusion === null) {
    return "conclusion is required when completed_at is set";
  }
  if (run.status === "completed" && run.conclusion === null) {
    return "conclusion is required when status is completed";
  }

  run.started_at = typeof body.started_at === "string" ? body.started_at : (run.started_at ?? timestamp);
  if (typeof body.completed_at === "string") run.completed_at = body.completed_at;
  else if (run.status === "completed" && run.completed_at === null) run.completed_at = timestamp;

  if (Array.isArray(body.actions)) run.actions = structuredClone(body.actions);
  mergeOutput(run, body.output as Body | undefined);
  return undefined;
}

function mergeOutput(run: FakeCheckRun, output: Body | undefined): void {
  if (!output) return;
  for (const field of ["title", "summary", "text"] as const) {
    if (typeof output[field] === "string") run.output[field] = output[field];
  }
  if (Array.isArray(output.annotations)) run.annotations.push(...structuredClone(output.annotations as CheckRunAnnotation[]));
  if (Array.isArray(output.images)) run.images.push(...structuredClone(output.images));
}

function findRun(runs: FakeCheckRun[], request: FakeRequest): FakeCheckRun | undefined {
  const id = Number(request.params.check_run_id);
  return runs.find((run) => run.id === id && sameRepository(run, request));
}

// GitHub treats owner and repository names case-insensitively.
function sameRepository(run: FakeCheckRun, request: FakeRequest): boolean {
  const requested = `${request.params.owner}/${request.params.repo}`.toLowerCase();
  return `${run.owner}/${run.repo}`.toLowerCase() === requested;
}

/**
 * Selects the check runs of a commit. `filter=latest` (GitHub's default) keeps the newest run
 * of each name. NOTE: `ref` is matched against `head_sha` only, so a branch or tag name finds
 * nothing. The newest-first order is the fake's choice, not a documented GitHub order.
 */
function filterForRef(runs: FakeCheckRun[], request: FakeRequest, appId: number): FakeCheckRun[] {
  const { check_name: name, status, filter, app_id: requestedAppId } = request.query;
  const matching = runs
    .filter((run) => sameRepository(run, request) && run.head_sha === request.params.ref)
    .filter((run) => name === undefined || run.name === name)
    .filter((run) => status === undefined || run.status === status)
    .filter(() => requestedAppId === undefined || Number(requestedAppId) === appId)
    .sort((left, right) => right.id - left.id);

  if (filter === "all") return matching;
  return matching.filter((run, index) => matching.findIndex((other) => other.name === run.name) === index);
}

function paginate<T>(items: T[], request: FakeRequest): T[] {
  const perPage = Number(request.query.per_page ?? 30);
  const page = Number(request.query.page ?? 1);
  return items.slice((page - 1) * perPage, page * perPage);
}

function notFound(request: FakeRequest): FakeResponse {
  return jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));
}

// GitHub rejects these requests although they fit the schema, so the fake records a violation.
function unprocessable(request: FakeRequest, message: string): FakeResponse {
  const body = { ...githubErrorBody(422, "Validation Failed", request.documentationUrl), errors: [message] };
  return { ...jsonResponse(422, body), violation: message };
}
