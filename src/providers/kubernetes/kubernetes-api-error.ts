import { ApiException } from "@kubernetes/client-node";

import { describeError, PaddockError, type PaddockErrorCode } from "../../errors.ts";
import type { ApiVerb } from "./api-call-counter.ts";

/** The request of an API call in RBAC terms: verb, resource, group, namespace and name. */
export interface ApiCallTarget {
  verb: ApiVerb;
  /** Plural resource name, such as `namespaces` or `pods/log`. */
  resource: string;
  /** API group; empty for the core group. */
  group: string;
  namespace?: string;
  name?: string;
}

/** The part of a Kubernetes `Status` body that error messages use. */
export interface KubernetesStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

/** One cause of an invalid or conflicting request: the field and what is wrong with it. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A permission the caller lacks, read from an RBAC denial. */
export interface MissingPermission {
  user: string;
  verb: string;
  resource: string;
  group: string;
  /** Absent when the request was cluster-scoped. */
  namespace?: string;
}

// kube-apiserver's RBAC denial, for example:
// User "u" cannot patch resource "namespaces" in API group "" in the namespace "x"
const RBAC_DENIAL = /User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/;

const CODE_BY_STATUS: Record<number, PaddockErrorCode> = {
  401: "KUBERNETES_UNAUTHORIZED",
  403: "KUBERNETES_FORBIDDEN",
  409: "KUBERNETES_CONFLICT",
  422: "KUBERNETES_INVALID",
};

/** A failed Kubernetes API request, with the parsed `Status` body and what it means. */
export class KubernetesApiError extends PaddockError {
  /** HTTP status; 0 when no response arrived. */
  readonly statusCode: number;
  readonly status: KubernetesStatus | undefined;
  readonly target: ApiCallTarget;
  /** Set when RBAC denied the request. */
  readonly permission: MissingPermission | undefined;
  /** Fields named by a 409 or 422 response. */
  readonly causes: StatusCause[];

  constructor(options: { target: ApiCallTarget; statusCode: number; status?: KubernetesStatus; cause: unknown }) {
    const { target, statusCode, status } = options;
    const permission = statusCode === 403 ? parseMissingPermission(status?.message ?? "") : undefined;
    const causes = status?.details?.causes ?? [];
    const code = CODE_BY_STATUS[statusCode] ?? "KUBERNETES_REQUEST_FAILED";
    super(code, describeFailure({ target, statusCode, status, permission, causes, cause: options.cause }), {
      hint: hintFor(statusCode, permission),
      cause: options.cause,
    });
    this.statusCode = statusCode;
    this.status = status;
    this.target = target;
    this.permission = permission;
    this.causes = causes;
  }
}

/** Wraps any failure of an API call in a {@link KubernetesApiError}, parsing the `Status` body. */
export function toKubernetesApiError(error: unknown, target: ApiCallTarget): KubernetesApiError {
  if (error instanceof KubernetesApiError) return error;
  if (error instanceof ApiException) {
    return new KubernetesApiError({ target, statusCode: error.code, status: parseStatus(error.body), cause: error });
  }
  return new KubernetesApiError({ target, statusCode: 0, cause: error });
}

/** Returns true when the error is a 404 response. */
export function isNotFoundError(error: unknown): boolean {
  if (error instanceof KubernetesApiError) return error.statusCode === 404;
  return error instanceof ApiException && error.code === 404;
}

/** Parses a `Status` body, which client-node 1.4 hands over as a JSON string. */
export function parseStatus(body: unknown): KubernetesStatus | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === "" ? undefined : { message: body.trim() };
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  return value as KubernetesStatus;
}

/** Reads the user, verb, resource, group and namespace from an RBAC denial message. */
export function parseMissingPermission(message: string): MissingPermission | undefined {
  const match = RBAC_DENIAL.exec(message);
  if (!match) return undefined;
  const [, user = "", verb = "", resource = "", group = "", namespace] = match;
  return namespace === undefined ? { user, verb, resource, group } : { user, verb, resource, group, namespace };
}

function describeFailure(options: {
  target: ApiCallTarget;
  statusCode: number;
  status: KubernetesStatus | undefined;
  permission: MissingPermission | undefined;
  causes: StatusCause[];
  cause: unknown;
}): string {
  const { target, statusCode, status, permission, causes } = options;
  const request = describeTarget(target);
  if (statusCode === 0) return `Kubernetes request ${request} failed without a response: ${describeError(options.cause)}`;

  const head = `Kubernetes request ${request} failed with ${statusCode}${status?.reason ? ` ${status.reason}` : ""}`;
  if (permission) {
    const scope = permission.namespace === undefined ? "at the cluster scope" : `in namespace ${permission.namespace}`;
    const group = permission.group === "" ? "the core API group" : `API group ${permission.group}`;
    return `${head}: ${permission.user} may not ${permission.verb} ${permission.resource} in ${group} ${scope}`;
  }
  const fields = causes.filter((cause) => cause.field || cause.message).map((cause) => (cause.field ? `${cause.field}: ` : "") + (cause.message ?? cause.reason ?? "invalid"));
  if (fields.length > 0) return `${head} on ${describeObject(status, target)}: ${fields.join("; ")}`;
  return `${head}: ${status?.message ?? "no message"}`;
}

function describeTarget(target: ApiCallTarget): string {
  const resource = target.group === "" ? target.resource : `${target.resource}.${target.group}`;
  const name = target.name === undefined ? "" : `/${target.name}`;
  const namespace = target.namespace === undefined ? "" : ` in namespace ${target.namespace}`;
  return `${target.verb} ${resource}${name}${namespace}`;
}

function describeObject(status: KubernetesStatus | undefined, target: ApiCallTarget): string {
  const kind = status?.details?.kind ?? target.resource;
  const name = status?.details?.name ?? target.name ?? "(unnamed)";
  return `${kind} ${name}`;
}

function hintFor(statusCode: number, permission: MissingPermission | undefined): string | undefined {
  if (statusCode === 401) return "Renew the kubeconfig's credentials, or pass loadKubeConfig so Paddock can reload them";
  if (permission) return `Grant verb ${permission.verb} on ${permission.resource} to Paddock's ClusterRole (deploy/20-cluster-role.yaml)`;
  if (statusCode === 422) return "Fix the named fields of the object Paddock built";
  if (statusCode === 0) return "Check that the kubeconfig's server is reachable";
  return undefined;
}
