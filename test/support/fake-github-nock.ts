import nock from "nock";

import type { RawRequest } from "./fake-github-router.ts";
import type { FakeResponse } from "./fake-github-types.ts";

const INTERCEPTED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

const LOOPBACK_HOST = /^(127\.0\.0\.1|\[::1\]|::1)(:\d+)?$/;

/**
 * Registers persisting nock interceptors that send every method and path on `origin` to
 * `respond`. Returns them so `removeInterceptors` can take them out again.
 */
export function interceptOrigin(origin: string, respond: (raw: RawRequest) => Promise<FakeResponse>): nock.Interceptor[] {
  const scope = nock(origin).persist();
  return INTERCEPTED_METHODS.map((method) => {
    const interceptor = scope.intercept(() => true, method);
    interceptor.reply(function reply(uri, body) {
      // nock sets `this.req` just before this call, so it must be read before any await.
      const headers = lowercaseHeaders(this.req.headers);
      return respond({ method, path: uri, body, headers }).then(toReplyTuple);
    });
    return interceptor;
  });
}

function lowercaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) lowered[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return lowered;
}

function toReplyTuple(response: FakeResponse): [number, string | Buffer, Record<string, string>] {
  const headers = response.headers ?? {};
  const { body } = response;
  if (body === undefined) return [response.status, "", headers];
  if (typeof body === "string" || Buffer.isBuffer(body)) return [response.status, body, headers];
  return [response.status, JSON.stringify(body), { "content-type": "application/json; charset=utf-8", ...headers }];
}

/** Activates nock and blocks real network access, except 127.0.0.1 and ::1 when allowed. */
export function restrictNetwork(allowLoopback: boolean): void {
  if (!nock.isActive()) nock.activate();
  if (allowLoopback) nock.enableNetConnect((host) => LOOPBACK_HOST.test(host));
  else nock.disableNetConnect();
}

/** Removes the interceptors and blocks real network access again. */
export function removeInterceptors(interceptors: nock.Interceptor[]): void {
  for (const interceptor of interceptors) nock.removeInterceptor(interceptor);
  nock.disableNetConnect();
}
