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
 * What a new policy means for a live environment. `deny`: it asks for more than the new policy
 * allows, so its next run is denied. `shrink`: only its lifetime is longer than the new TTL
 * allows, so its next run gets the shorter one. `unknown`: it carries no recorded settings.
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
export function judgeLiveEnvironment(options: { environment: LiveEnvironment; policy: OrgPolicy; now: Date }): LiveVerdict {
  const { environment, policy, now } = options;
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
  const denied: string[] = [];
  if (parseCpuMillis(cpu)! > parseCpuMillis(profile.resources.cpu)!) denied.push(`cpu ${cpu} exceeds ${rule("resources.cpu")} ${profile.resources.cpu}`);
  if (parseMemoryBytes(memory)! > parseMemoryBytes(profile.resources.memory)!) denied.push(`memory ${memory} exceeds ${rule("resources.memory")} ${profile.resources.memory}`);
  for (const host of (read(POLICY_ANNOTATIONS.egress) ?? "").split(",").filter(Boolean)) {
    if (!matchesAny(host, profile.egress)) denied.push(`egress host ${host} is not in ${rule("egress")} [${profile.egress.join(", ")}]`);
    else if (host !== "*" && matchesAny(host, policy.deny.egress ?? [])) denied.push(`egress host ${host} is in deny.egress`);
  }
  if (denied.length > 0) return { ...verdict, outcome: "deny", reasons: denied };

  const shrink = judgeTtl({ ttl: read(POLICY_ANNOTATIONS.ttl), max: profile.ttl.max, expiresAt: read(`${PREFIX}/expires-at`), rule: rule("ttl.max"), now });
  return shrink ? { ...verdict, outcome: "shrink", reasons: [shrink] } : verdict;
}

function judgeTtl(options: { ttl: string | undefined; max: string; expiresAt: string | undefined; rule: string; now: Date }): string | undefined {
  const { ttl, max, expiresAt, rule } = options;
  if (ttl === undefined || (parseDurationSeconds(ttl) ?? 0) <= parseDurationSeconds(max)!) return undefined;
  const until = expiresAt ? `; it expires at ${expiresAt}` : "";
  return `ttl ${ttl} exceeds ${rule} ${max}, so its next run lives at most ${max}${until}`;
}

function toNumber(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isSafeInteger(value) ? value : undefined;
}
