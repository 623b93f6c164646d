import { describe, expect, it } from "vitest";

import { loadOpenApiDocument } from "./openapi-spec.ts";
import { GitHubRequestViolationError, validateGitHubRequest, type GitHubRequest } from "./openapi-validator.ts";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const HEAD_SHA = "ce587453ced02b1526dfb4cb910479d431683101";

function violationsOf(request: GitHubRequest): string[] {
  try {
    validateGitHubRequest(request);
  } catch (error) {
    if (error instanceof GitHubRequestViolationError) return error.violations;
    throw error;
  }
  throw new Error(`expected ${request.method} ${request.url} to be rejected`);
}

function annotations(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({
    path: "src/index.ts",
    start_line: index + 1,
    end_line: index + 1,
    annotation_level: "warning",
    message: `finding ${index + 1}`,
  }));
}

describe("validateGitHubRequest", () => {
  it("accepts a valid check-run create", () => {
    const result = validateGitHubRequest({
      method: "POST",
      url: "https://api.github.com/repos/octo-org/widgets/check-runs",
      body: { name: "paddock", head_sha: HEAD_SHA, status: "in_progress" },
      headers: JSON_HEADERS,
    });

    expect(result.operationId).toBe("checks/create");
    expect(result.pathTemplate).toBe("/repos/{owner}/{repo}/check-runs");
    expect(result.params).toEqual({ owner: "octo-org", repo: "widgets" });
  });

  it("rejects an unknown check-run status naming the field", () => {
    const violations = violationsOf({
      method: "POST",
      url: "/repos/octo-org/widgets/check-runs",
      body: { name: "paddock", head_sha: HEAD_SHA, status: "bogus" },
      headers: JSON_HEADERS,
    });

    expect(violations).toEqual([
      'body/status must be equal to one of the allowed values (queued, in_progress, completed), got "bogus"',
    ]);
  });

  it("names method, path and operation in the error message", () => {
    const request = { method: "post", url: "/repos/o/r/check-runs", body: { name: "x" }, headers: JSON_HEADERS };

    expect(() => validateGitHubRequest(request)).toThrow(
      "Invalid GitHub request POST /repos/o/r/check-runs (checks/create, POST /repos/{owner}/{repo}/check-runs):\n" +
        "  - body must have required property 'head_sha'",
    );
  });

  it("rejects an unknown path", () => {
    expect(violationsOf({ method: "GET", url: "/repos/o/r/paddock-environments" })).toEqual([
      "no operation of GitHub's REST API has the path /repos/o/r/paddock-environments",
    ]);
  });

  it("rejects a known path with the wrong method", () => {
    expect(violationsOf({ method: "DELETE", url: "/repos/o/r/check-runs/7" })).toEqual([
      "the path exists only for GET, PATCH",
    ]);
  });

  it("accepts a bodyless installation token request", () => {
    const result = validateGitHubRequest({ method: "POST", url: "/app/installations/42/access_tokens", body: "" });

    expect(result.operationId).toBe("apps/create-installation-access-token");
    expect(result.params).toEqual({ installation_id: "42" });
    expect(result.body).toBeUndefined();
  });

  it("confirms GitHub caps annotations at 50 a request", () => {
    const document = loadOpenApiDocument() as unknown as {
      paths: Record<string, { patch: { requestBody: { content: Record<string, { schema: Record<string, any> }> } } }>;
    };
    const schema = document.paths["/repos/{owner}/{repo}/check-runs/{check_run_id}"]!.patch.requestBody.content["application/json"]!.schema;

    expect(schema.properties.output.properties.annotations.maxItems).toBe(50);
  });

  it("accepts a check-run update with 50 annotations", () => {
    const body = { output: { title: "Tests", summary: "50 findings", annotations: annotations(50) } };
    const result = validateGitHubRequest({ method: "PATCH", url: "/repos/o/r/check-runs/7", body, headers: JSON_HEADERS });

    expect(result.operationId).toBe("checks/update");
  });

  it("rejects a check-run update with 51 annotations", () => {
    const body = { output: { title: "Tests", summary: "51 findings", annotations: annotations(51) } };

    expect(violationsOf({ method: "PATCH", url: "/repos/o/r/check-runs/7", body, headers: JSON_HEADERS })).toEqual([
      "body/output/annotations must NOT have more than 50 items",
    ]);
  });

  it("rejects a path parameter of the wrong type", () => {
    expect(violationsOf({ method: "GET", url: "/repos/o/r/check-runs/latest" })).toEqual([
      'path parameter check_run_id must be integer, got "latest"',
    ]);
  });

  it("rejects an unknown query parameter", () => {
    expect(violationsOf({ method: "GET", url: "/repos/o/r/contents/README.md?branch=main" })).toEqual([
      "unknown query parameter branch (known: ref)",
    ]);
  });

  it("rejects a query parameter of the wrong type", () => {
    const url = "/repos/o/r/commits/main/check-runs?per_page=all&filter=newest";

    expect(violationsOf({ method: "GET", url })).toEqual([
      'query parameter filter must be equal to one of the allowed values (latest, all), got "newest"',
      'query parameter per_page must be integer, got "all"',
    ]);
  });

  it("decodes multi-segment path parameters", () => {
    const result = validateGitHubRequest({ method: "GET", url: "/repos/o/r/contents/.github%2Fpaddock.yml?ref=feature%2Fx" });

    expect(result.params).toEqual({ owner: "o", repo: "r", path: ".github/paddock.yml" });
    expect(result.query).toEqual({ ref: "feature/x" });
  });

  it("prefers the route with more literal segments", () => {
    const result = validateGitHubRequest({ method: "GET", url: "/repos/o/r/branches/agent/fix/protection" });

    expect(result.pathTemplate).toBe("/repos/{owner}/{repo}/branches/{branch}/protection");
    expect(result.params.branch).toBe("agent/fix");
  });

  it("accepts null where the schema is nullable without a type", () => {
    const body = { milestone: null, state: "closed" };
    const result = validateGitHubRequest({ method: "PATCH", url: "/repos/o/r/issues/3", body, headers: JSON_HEADERS });

    expect(result.body).toEqual(body);
  });

  it("rejects a body property the operation does not define", () => {
    const body = { name: "paddock", head_sha: HEAD_SHA, conlusion: "success" };

    expect(violationsOf({ method: "POST", url: "/repos/o/r/check-runs", body, headers: JSON_HEADERS })).toEqual([
      "body/conlusion is not a property of this operation (known: name, head_sha, details_url, external_id, status, started_at, conclusion, completed_at, output, actions)",
    ]);
  });

  it("rejects a missing required body", () => {
    expect(violationsOf({ method: "POST", url: "/repos/o/r/check-runs" })).toEqual([
      "the request body is required but none was sent",
    ]);
  });

  it("rejects a body on an operation that takes none", () => {
    expect(violationsOf({ method: "GET", url: "/repos/o/r/pulls/1", body: { state: "open" } })).toEqual([
      'the operation takes no request body, but one was sent: {"state":"open"}',
    ]);
  });

  it("rejects a body that is not JSON", () => {
    const violations = violationsOf({ method: "POST", url: "/repos/o/r/check-runs", body: "{name", headers: JSON_HEADERS });

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/^the request body is not valid JSON \(.+\): \{name$/);
  });

  it("rejects an origin other than api.github.com", () => {
    expect(violationsOf({ method: "GET", url: "https://uploads.github.com/repos/o/r/releases/1/assets" })).toEqual([
      "the origin https://uploads.github.com is not https://api.github.com, so no operation of this description applies",
    ]);
  });
});
