import { parseCpuMillis, parseDurationSeconds, parseMemoryBytes } from "../config/units.ts";
import { ACTOR_CLASSES, type ActorClass } from "./actor-class.ts";
import { matchesAny } from "./allowlist.ts";
import type { OrgPolicy } from "./org-policy-schema.ts";
import { POLICY_ANNOTATIONS } from "./policy-annotations.ts";
import { resolveProfile } from "./profile-schema.ts";

const PREFIX = "paddock.dev";

/** A live environment as a provider lists it. */
export interface LiveEnvironment {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * The outcome of a new policy for a live environment. `deny`: its repository requests more than
 * the new policy allows, so its next run is denied. `shrink`: only values that came from the old
 * profile exceed the new caps, so its next run gets the new caps. `unknown`: it carries no
 * recorded settings.
 */
export interface LiveVerdict {
  name: string;
  repository: string;
  repositoryId: number | undefined;
  pullRequest: number | undefined;
  headSha: string | undefined;
  actorClass: ActorClass | undefined;
  outcome: "unchanged" | "shrink" | "deny" | "unknown";
  reasons: string[];
}

/** Judges a live environment's recorded settings against a policy's caps for its actor class. Pure. */
export function judgeLiveEnvironment(options: { environment: LiveEnvironment; policy: OrgPolicy }): LiveVerdict {
  const { environment, policy } = options;
  const read = (key: string) => environment.annotations[key];
  const recordedClass = read(POLICY_ANNOTATIONS.actorClass);
  const actorClass = ACTOR_CLASSES.find((candidate) => candidate === recordedClass);
  const verdict: LiveVerdict = {
    name: environment.name,
    repository: read(`${PREFIX}/repository`) ?? "unknown repository",
    repositoryId: toNumber(environment.labels[`${PREFIX}/repository-id`]),
    pullRequest: toNumber(environment.labels[`${PREFIX}/pull-request`]),
    headSha: read(`${PREFIX}/head-sha`),
    actorClass,
    outcome: "unchanged",
    reasons: [],
  };
  const cpu = read(POLICY_ANNOTATIONS.cpu);
  const memory = read(POLICY_ANNOTATIONS.memory);
  if (!actorClass || cpu === undefined || memory === undefined) {
    return { ...verdict, outcome: "unknown", reasons: ["created without recorded settings, so it cannot be judged"] };
  }

  const profile = resolveProfile({ actorClass, written: policy.profiles[actorClass] });
  const rule = (field: string) => `profiles.${actorClass}.${field}`;
  const setByRepository = new Set((read(POLICY_ANNOTATIONS.setByRepository) ?? "").split(","));
  const denied: string[] = [];
  const shrunk: string[] = [];
  const over = [
    { field: "cpu", value: cpu, cap: profile.resources.cpu, rule: rule("resources.cpu"), exceeds: parseCpuMillis(cpu)! > parseCpuMillis(profile.resources.cpu)! },
    { field: "memory", value: memory, cap: profile.resources.memory, rule: rule("resources.memory"), exceeds: parseMemoryBytes(memory)! > parseMemoryBytes(profile.resources.memory)! },
    { field: "ttl", value: read(POLICY_ANNOTATIONS.ttl) ?? "", cap: profile.ttl.max, rule: rule("ttl.max"), exceeds: (parseDurationSeconds(read(POLICY_ANNOTATIONS.ttl) ?? "") ?? 0) > parseDurationSeconds(profile.ttl.max)! },
  ].filter((check) => check.exceeds);

  // The repository's own value is denied at the next run; a profile default is lowered to the new cap.
  for (const check of over) {
    if (setByRepository.has(check.field)) denied.push(`${check.field} ${check.value}, set by the repository, exceeds ${check.rule} ${check.cap}`);
    else shrunk.push(`${check.field} ${check.value} exceeds ${check.rule} ${check.cap}, so its next run gets ${check.cap}`);
  }
  for (const host of (read(POLICY_ANNOTATIONS.egress) ?? "").split(",").filter(Boolean)) {
    if (!matchesAny(host, profile.egress)) denied.push(`egress host ${host} is not in ${rule("egress")} [${profile.egress.join(", ")}]`);
    else if (host === "*" && (policy.deny.egress ?? []).length > 0) denied.push("egress to any host cannot be combined with deny.egress");
    else if (host !== "*" && matchesAny(host, policy.deny.egress ?? [])) denied.push(`egress host ${host} is in deny.egress`);
  }
  if (denied.length > 0) return { ...verdict, outcome: "deny", reasons: [...denied, ...shrunk] };
  return shrunk.length > 0 ? { ...verdict, outcome: "shrink", reasons: shrunk } : verdict;
}

function toNumber(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isSafeInteger(value) ? value : undefined;
}
