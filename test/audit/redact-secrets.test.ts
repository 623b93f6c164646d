import { describe, expect, it } from "vitest";
import { REDACTED, redactJson, redactSecrets } from "../../src/audit/redact-secrets.ts";

const TOKEN_BODY = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";

describe("redactSecrets", () => {
  const cases: Array<[string, string, string]> = [
    ["personal token", `push with ghp_${TOKEN_BODY} failed`, `push with ${REDACTED} failed`],
    ["installation token", `ghs_${TOKEN_BODY}`, REDACTED],
    ["OAuth and user tokens", `gho_${TOKEN_BODY} ghu_${TOKEN_BODY} ghr_${TOKEN_BODY}`, `${REDACTED} ${REDACTED} ${REDACTED}`],
    ["fine-grained token", `github_pat_11ABCDEFG0123456789_${TOKEN_BODY}`, REDACTED],
    ["authorization header", `Authorization: token ${TOKEN_BODY}`, REDACTED],
    ["bearer credential", `sent Bearer abc.def-ghi_jkl to the API`, `sent ${REDACTED} to the API`],
    ["JWT", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl", REDACTED],
    ["PEM block", "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\ndone", `key:\n${REDACTED}\ndone`],
    ["PEM block cut short", "-----BEGIN PRIVATE KEY-----\nMIIEvQ", REDACTED],
    ["YAML secret field", "client-key-data: LS0tLS1CRUdJTg==", REDACTED],
    ["JSON secret field", '{"password":"hunter22"}', `{${REDACTED}"}`],
    ["URL credentials", "https://bot:s3cr3t@git.example.com/acme/web.git", `https://${REDACTED}@git.example.com/acme/web.git`],
    ["cloud access key", "AKIAABCDEFGHIJKLMNOP", REDACTED],
    ["plain text", "environment.resources.cpu 8 exceeds the org limit limits.cpu 4", "environment.resources.cpu 8 exceeds the org limit limits.cpu 4"],
    ["lone surrogate", "bad \ud800 text", "bad \ufffd text"],
  ];

  for (const [name, input, output] of cases) {
    it(`redacts ${name}`, () => {
      expect(redactSecrets(input)).toBe(output);
    });
  }

  it("replaces a whole kubeconfig", () => {
    const kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.0.1\n  name: dev\nusers:\n- name: dev\n  user:\n    exec:\n      command: aws\n";

    expect(redactSecrets(`config was ${kubeconfig}`)).toBe(REDACTED);
  });
});

describe("redactJson", () => {
  it("redacts strings at any depth and in keys", () => {
    const input = { a: [`ghp_${TOKEN_BODY}`, 3], [`ghs_${TOKEN_BODY}`]: { b: null, c: true } };

    expect(redactJson(input)).toEqual({ a: [REDACTED, 3], [REDACTED]: { b: null, c: true } });
  });
});
