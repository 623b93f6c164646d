import { describe, expect, it } from "vitest";
import { renderPreviewHost } from "../../src/environments/preview-host.ts";

describe("renderPreviewHost", () => {
  it("fills environment, repo and number", () => {
    expect(renderPreviewHost({ template: "{environment}.{repo}-{number}.preview.example.com", environment: "web-pr-7-1a2b3c", repository: "Web", number: 7 })).toEqual({
      ok: true,
      host: "web-pr-7-1a2b3c.web-7.preview.example.com",
    });
  });

  it("rejects {number} for a branch environment", () => {
    expect(renderPreviewHost({ template: "{environment}-{number}.example.com", environment: "web-main-1a2b3c", repository: "web", number: null })).toEqual({
      ok: false,
      message: 'preview.host "{environment}-{number}.example.com" uses {number}, but environment web-main-1a2b3c belongs to a branch, not a pull request: use {environment} instead',
    });
  });

  it("rejects a repository name that is not DNS-safe", () => {
    expect(renderPreviewHost({ template: "{environment}.{repo}.example.com", environment: "a-1", repository: "my_repo", number: 1 })).toEqual({
      ok: false,
      message: `preview host "a-1.my_repo.example.com" from preview.host "{environment}.{repo}.example.com" is not a DNS name, because label "my_repo" is not a DNS label: use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    });
  });

  it("rejects a host over 253 characters", () => {
    const environment = "a".repeat(63);
    const template = `{environment}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.example.com`;
    expect(renderPreviewHost({ template, environment, repository: "web", number: 1 })).toEqual({
      ok: false,
      message: `preview host "${template.replace("{environment}", environment)}" from preview.host "${template}" is not a DNS name, because it is longer than 253 characters`,
    });
  });
});
