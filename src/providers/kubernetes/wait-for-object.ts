import type { KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";

import type { KubeClient, KubernetesApis } from "./kube-client.ts";
import type { ApiCallTarget } from "./kubernetes-api-error.ts";
import { watchObjects } from "./watch-objects.ts";

/** The outcome of {@link waitForObject}: the value `until` returned, or the last state seen at the deadline. */
export type WaitOutcome<T, R> = { done: true; value: R } | { done: false; last: T | undefined };

/**
 * Watches one named object until `until` returns a value for its current state, which is
 * `undefined` while the object does not exist. Gives up after `timeoutMs` or when `signal`
 * aborts, and then returns the last state seen.
 */
export async function waitForObject<T extends KubernetesObject, R>(options: {
  client: KubeClient;
  environment: string;
  target: Omit<ApiCallTarget, "verb" | "name">;
  path: string;
  name: string;
  typeName: string;
  list: (apis: KubernetesApis, fieldSelector: string) => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  until: (object: T | undefined) => R | undefined;
  timeoutMs: number;
  signal?: AbortSignal;
  logger: Pick<Logger, "warn">;
}): Promise<WaitOutcome<T, R>> {
  const stop = new AbortController();
  const signals = [stop.signal, AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const fieldSelector = `metadata.name=${options.name}`;
  let last: T | undefined;
  let outcome: WaitOutcome<T, R> | undefined;

  const check = (object: T | undefined): void => {
    last = object;
    const value = options.until(object);
    if (value !== undefined && outcome === undefined) {
      outcome = { done: true, value };
      stop.abort();
    }
  };

  await watchObjects<T>({
    client: options.client,
    environment: options.environment,
    target: options.target,
    path: options.path,
    fieldSelector,
    typeName: options.typeName,
    list: (apis) => options.list(apis, fieldSelector),
    onChange: (change) => {
      if (change.type === "LIST") check(change.objects.find((object) => object.metadata?.name === options.name));
      else check(change.type === "DELETED" ? undefined : change.object);
    },
    signal,
    logger: options.logger,
  });
  return outcome ?? { done: false, last };
}
