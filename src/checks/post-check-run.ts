import type { GitHubRequester } from "../github/repository-gateway.ts";
import type { CheckAnnotation } from "./check-annotation.ts";
import { chunkAnnotations, MAX_CHECK_OUTPUT_BYTES, describeCutBytes, limitAnnotation, truncateUtf8 } from "./output-limits.ts";
import { MAX_ANNOTATIONS_PER_CHECK_RUN } from "./render-annotations.ts";

/** A check run created already completed, such as a policy review. */
export interface CompletedCheckRun {
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  conclusion: "success" | "failure" | "neutral" | "action_required";
  title: string;
  summary: string;
  annotations?: CheckAnnotation[];
}

/**
 * Creates a completed check run with its first 50 annotations, then appends the rest 50 to a
 * request, as GitHub's Checks API requires. Resolves with the check run's id; rejects when the
 * create request fails.
 */
export async function postCompletedCheckRun(options: { octokit: GitHubRequester; run: CompletedCheckRun; now: Date }): Promise<number> {
  const { octokit, run } = options;
  const annotations = (run.annotations ?? []).slice(0, MAX_ANNOTATIONS_PER_CHECK_RUN).map(limitAnnotation);
  const [first = [], ...rest] = chunkAnnotations(annotations);
  const output = { title: run.title, summary: truncateUtf8({ text: run.summary, maxBytes: MAX_CHECK_OUTPUT_BYTES, note: describeCutBytes }) };
  const response = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
    owner: run.owner,
    repo: run.repo,
    name: run.name,
    head_sha: run.headSha,
    status: "completed",
    conclusion: run.conclusion,
    completed_at: options.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    output: { ...output, ...(first.length > 0 ? { annotations: first } : {}) },
  });
  const id = (response.data as { id: number }).id;
  for (const chunk of rest) {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: run.owner, repo: run.repo, check_run_id: id, output: { ...output, annotations: chunk } });
  }
  return id;
}
