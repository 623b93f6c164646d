import { fakeAppObject } from "./fake-github-app.ts";
import type { CheckRunAnnotation, FakeCheckRun } from "./fake-github-check-runs.ts";

/** Builds the check-run object GitHub returns, with the fake's URLs and the app of `appId`. */
export function toApiObject(run: FakeCheckRun, appId: number): Record<string, unknown> {
  const url = `https://api.github.com/repos/${run.owner}/${run.repo}/check-runs/${run.id}`;
  return {
    id: run.id,
    node_id: `CR_fake${run.id}`,
    head_sha: run.head_sha,
    external_id: run.external_id,
    url,
    html_url: `https://github.com/${run.owner}/${run.repo}/runs/${run.id}`,
    details_url: run.details_url,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `${url}/annotations` },
    name: run.name,
    check_suite: { id: run.id },
    app: fakeAppObject(appId),
    pull_requests: [],
  };
}

/** Builds one item of GitHub's annotation list; absent optional fields become `null`. */
export function toApiAnnotation(run: FakeCheckRun, annotation: CheckRunAnnotation): Record<string, unknown> {
  return {
    path: annotation.path,
    start_line: annotation.start_line,
    end_line: annotation.end_line,
    start_column: annotation.start_column ?? null,
    end_column: annotation.end_column ?? null,
    annotation_level: annotation.annotation_level,
    title: annotation.title ?? null,
    message: annotation.message,
    raw_details: annotation.raw_details ?? null,
    blob_href: `https://github.com/${run.owner}/${run.repo}/blob/${run.head_sha}/${annotation.path}`,
  };
}
