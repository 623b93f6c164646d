/** The GitHub App id the fake and the test Probot use unless a test sets another. */
export const FAKE_APP_ID = 123456;

/** A request that passed validation, as a handler receives it. */
export interface FakeRequest {
  method: string;
  /** The path without the query string, still percent-encoded as the client sent it. */
  path: string;
  operationId: string;
  pathTemplate: string;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Parsed JSON body, or `undefined` when none was sent. */
  body: unknown;
  /** Request headers with lowercase names. */
  headers: Record<string, string>;
  /** The documentation page of the operation, as GitHub puts it into error bodies. */
  documentationUrl: string;
}

/** What a handler returns; a plain object or array body is sent as JSON. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Set when real GitHub would reject the request: the fake then records it as a violation. */
  violation?: string;
}

/** Handles one operation of the fake and returns its response. */
export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** One request the fake received on api.github.com. */
export interface RecordedCall {
  method: string;
  /** The path with its query string, as sent. */
  path: string;
  /** The matched operation, or `undefined` when no operation matched. */
  operationId: string | undefined;
  pathTemplate: string | undefined;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
  /** The response status the fake sent. */
  status: number;
}

/** A request the fake rejected with an error status because the test or the code under test is wrong. */
export interface FakeViolation {
  method: string;
  path: string;
  status: number;
  message: string;
}

/** A forced failure queued with `failNext`. */
export interface InjectedFailure {
  status: number;
  headers?: Record<string, string>;
  /** Defaults to GitHub's error shape: `{ message, documentation_url, status }`. */
  body?: unknown;
  /** How many of the next matching requests fail; defaults to 1. */
  times?: number;
}

/** Builds GitHub's error body, e.g. `{ message: "Not Found", documentation_url, status: "404" }`. */
export function githubErrorBody(status: number, message: string, documentationUrl: string): Record<string, string> {
  return { message, documentation_url: documentationUrl, status: String(status) };
}

/** Returns a JSON response with GitHub's content type. */
export function jsonResponse(status: number, body: unknown): FakeResponse {
  return { status, body, headers: { "content-type": "application/json; charset=utf-8" } };
}
