import { DEFAULT_STEP_RESOURCES, type RepoEnvironment } from "../config/repo-config-schema.ts";
import { parseCpuMillis, parseDurationSeconds, parseMemoryBytes } from "../config/units.ts";
import { stricterApproval, type ActorClass, type ApprovalLevel } from "./actor-class.ts";
import { intersectAllowlists, matchesAny, unionDenylists } from "./allowlist.ts";
import type { ActorProfile } from "./profile-schema.ts";

/** The settings an environment gets once the org profile and the repository's settings are merged. */
export interface EffectiveSettings {
  actorClass: ActorClass;
  resources: { cpu: string; memory: string; pods: number };
  ttl: string;
  ttlSeconds: number;
  concurrency: { perRepository: number; perActor: number };
  /** Hosts the environment may reach: the requested hosts that the org admits. */
  egress: string[];
  /** Registries step images may come from. */
  registries: string[];
  deny: { registries: string[]; egress: string[] };
  approval: ApprovalLevel;
  requireImageDigest: boolean;
  /** Whether repository secrets are mounted. */
  secrets: boolean;
  /**
   * The sized fields the repository set (`cpu`, `memory`, `ttl`); the others came from the
   * profile. A later, stricter policy denies a repository's value but lowers a profile's.
   */
  setByRepository: SizedField[];
}

/** Fields whose value either the repository or the profile chose. */
export type SizedField = "cpu" | "memory" | "ttl";

/** A repository setting that requests more than the org policy allows. */
export interface SettingViolation {
  /** Path of the field in the repository config, such as `["environment", "resources", "cpu"]`. */
  path: (string | number)[];
  /** The org rule it exceeds, such as `profiles.agent.resources.cpu`. */
  rule: string;
  message: string;
}

type Collector = (violation: SettingViolation) => void;

/**
 * Merges an actor's org profile with a repository's environment settings, tightening only:
 * caps by minimum, require flags by OR, permissions by AND, allowlists by intersection,
 * denylists by union, approval levels by the stricter. A repository value looser than the
 * org's is reported as a violation naming the org rule; it is never clamped silently.
 */
export function mergeSettings(options: {
  actorClass: ActorClass;
  profile: ActorProfile;
  orgDeny: { registries?: string[]; egress?: string[] };
  repo: RepoEnvironment | undefined;
}): { effective: EffectiveSettings; violations: SettingViolation[] } {
  const { actorClass, profile, repo = {} } = options;
  const violations: SettingViolation[] = [];
  const report: Collector = (violation) => violations.push(violation);
  const rule = (field: string) => `profiles.${actorClass}.${field}`;

  const deny = {
    registries: unionDenylists(options.orgDeny.registries ?? [], repo.deny?.registries ?? []),
    egress: unionDenylists(options.orgDeny.egress ?? [], repo.deny?.egress ?? []),
  };
  const effective: EffectiveSettings = {
    actorClass,
    resources: mergeResources({ profile, repo, rule, report }),
    ...mergeTtl({ profile, repo, rule, report }),
    concurrency: {
      perRepository: mergeCount({ org: profile.concurrency.perRepository, repo: repo.concurrency?.perRepository, path: ["environment", "concurrency", "perRepository"], rule: rule("concurrency.perRepository"), report }),
      perActor: mergeCount({ org: profile.concurrency.perActor, repo: repo.concurrency?.perActor, path: ["environment", "concurrency", "perActor"], rule: rule("concurrency.perActor"), report }),
    },
    egress: mergeEgress({ profile, requested: repo.egress ?? [], orgDeny: options.orgDeny.egress ?? [], repoDeny: repo.deny?.egress ?? [], rule, report }),
    registries: mergeRegistries({ profile, requested: repo.registries, rule, report }),
    deny,
    approval: stricterApproval(profile.approval, repo.approval ?? "none"),
    requireImageDigest: profile.requireImageDigest || repo.requireImageDigest === true,
    secrets: mergeSecrets({ profile, requested: repo.secrets === true, rule, report }),
    setByRepository: (["cpu", "memory", "ttl"] as const).filter((field) => (field === "ttl" ? repo.ttl : repo.resources?.[field]) !== undefined),
  };
  return { effective, violations };
}

function mergeResources(options: { profile: ActorProfile; repo: RepoEnvironment; rule: (field: string) => string; report: Collector }) {
  const { profile, repo, rule, report } = options;
  const cpu = mergeQuantity({ org: profile.resources.cpu, repo: repo.resources?.cpu, fallback: DEFAULT_STEP_RESOURCES.cpu, parse: parseCpuMillis, field: "cpu", rule: rule("resources.cpu"), report });
  const memory = mergeQuantity({ org: profile.resources.memory, repo: repo.resources?.memory, fallback: DEFAULT_STEP_RESOURCES.memory, parse: parseMemoryBytes, field: "memory", rule: rule("resources.memory"), report });
  const pods = mergeCount({ org: profile.resources.pods, repo: repo.resources?.pods, path: ["environment", "resources", "pods"], rule: rule("resources.pods"), report });
  return { cpu, memory, pods };
}

// Without a repository value the default request applies, lowered to the cap when the cap is smaller.
function mergeQuantity(options: { org: string; repo: string | undefined; fallback: string; parse: (text: string) => number | undefined; field: string; rule: string; report: Collector }): string {
  const { org, repo, fallback, parse, field, rule, report } = options;
  if (repo === undefined) return parse(fallback)! <= parse(org)! ? fallback : org;
  if (parse(repo)! > parse(org)!) {
    report({ path: ["environment", "resources", field], rule, message: `environment.resources.${field} ${repo} exceeds ${rule} ${org}` });
  }
  return repo;
}

function mergeCount(options: { org: number; repo: number | undefined; path: string[]; rule: string; report: Collector }): number {
  const { org, repo, path, rule, report } = options;
  if (repo === undefined) return org;
  if (repo > org) report({ path, rule, message: `${path.join(".")} ${repo} exceeds ${rule} ${org}` });
  return Math.min(org, repo);
}

function mergeTtl(options: { profile: ActorProfile; repo: RepoEnvironment; rule: (field: string) => string; report: Collector }) {
  const { profile, repo, rule, report } = options;
  const maxSeconds = parseDurationSeconds(profile.ttl.max)!;
  if (repo.ttl === undefined) {
    const fallback = parseDurationSeconds(profile.ttl.default)! <= maxSeconds ? profile.ttl.default : profile.ttl.max;
    return { ttl: fallback, ttlSeconds: parseDurationSeconds(fallback)! };
  }
  const seconds = parseDurationSeconds(repo.ttl)!;
  if (seconds > maxSeconds) {
    report({ path: ["environment", "ttl"], rule: rule("ttl.max"), message: `environment.ttl ${repo.ttl} exceeds ${rule("ttl.max")} ${profile.ttl.max}` });
  }
  return { ttl: repo.ttl, ttlSeconds: seconds };
}

function mergeEgress(options: { profile: ActorProfile; requested: string[]; orgDeny: string[]; repoDeny: string[]; rule: (field: string) => string; report: Collector }): string[] {
  const { profile, requested, orgDeny, repoDeny, rule, report } = options;
  const admitted: string[] = [];
  requested.forEach((host, index) => {
    const path = ["environment", "egress", index];
    if (!matchesAny(host, profile.egress)) {
      report({ path, rule: rule("egress"), message: `environment.egress host ${host} is not in ${rule("egress")} [${profile.egress.join(", ")}]` });
    } else if (host === "*" && orgDeny.length + repoDeny.length > 0) {
      // Providers allow hosts and cannot subtract a denylist from "any host", so "*" would skip the denylist.
      report({ path, rule: orgDeny.length > 0 ? "deny.egress" : "environment.deny.egress", message: "environment.egress * cannot be combined with a denylist of hosts: list the hosts steps need" });
    } else if (host !== "*" && matchesAny(host, orgDeny)) {
      report({ path, rule: "deny.egress", message: `environment.egress host ${host} is in deny.egress [${orgDeny.join(", ")}]` });
    } else if (host !== "*" && matchesAny(host, repoDeny)) {
      report({ path, rule: "environment.deny.egress", message: `environment.egress host ${host} is also in environment.deny.egress: remove it from one list` });
    } else {
      admitted.push(host);
    }
  });
  return intersectAllowlists(admitted, profile.egress);
}

function mergeRegistries(options: { profile: ActorProfile; requested: string[] | undefined; rule: (field: string) => string; report: Collector }): string[] {
  const { profile, requested, rule, report } = options;
  if (requested === undefined) return intersectAllowlists(profile.registries, ["*"]);
  requested.forEach((registry, index) => {
    if (!matchesAny(registry, profile.registries)) {
      report({
        path: ["environment", "registries", index],
        rule: rule("registries"),
        message: `environment.registries entry ${registry} is not in ${rule("registries")} [${profile.registries.join(", ")}]`,
      });
    }
  });
  return intersectAllowlists(profile.registries, requested);
}

function mergeSecrets(options: { profile: ActorProfile; requested: boolean; rule: (field: string) => string; report: Collector }): boolean {
  const { profile, requested, rule, report } = options;
  if (requested && !profile.secrets) {
    report({ path: ["environment", "secrets"], rule: rule("secrets"), message: `environment.secrets true is not allowed by ${rule("secrets")} false` });
  }
  return requested && profile.secrets;
}
