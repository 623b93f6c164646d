import { readRepoConfig } from "../../../src/config/load-repo-config.ts";
import { planEnvironment, type EnvironmentPlan } from "../../../src/environments/plan-environment.ts";
import { defaultOrgPolicy, type OrgPolicy } from "../../../src/policy/org-policy-schema.ts";
import { readOrgPolicy } from "../../../src/policy/load-org-policy.ts";

/** The instant every fixture plan is made at. */
export const PLAN_TIME = new Date("2026-03-01T12:00:00Z");

/** What varies between the plans of the hostile and security suites. */
export interface PlanFixture {
  /** `.github/paddock.yml`; it must be valid. */
  config: string;
  /** `.github/paddock-policy.yml` of the org; the default policy when unset. */
  policy?: string;
  /** Head branch; also the environment's key when `number` is null. */
  branch?: string;
  /** Pull request number, or null for a branch environment. Defaults to 7. */
  number?: number | null;
  sender?: { login: string; id: number; type: string };
  /** `owner/name` of the head repository; `acme/widgets` (no fork) when unset. */
  headRepositoryFullName?: string | null;
}

/** Plans an environment the way the app does, with no I/O; throws when the config or policy is invalid. */
export function planFixture(fixture: PlanFixture): EnvironmentPlan {
  const config = readRepoConfig({ text: fixture.config });
  if (config.kind !== "valid") throw new Error(`fixture config is ${config.kind}: ${JSON.stringify(config)}`);
  return planEnvironment({
    event: {
      repository: { id: 4242, owner: "acme", name: "widgets", fullName: "acme/widgets", defaultBranch: "main" },
      sender: fixture.sender ?? { login: "octocat", id: 1, type: "User" },
      pullRequest: {
        number: fixture.number === undefined ? 7 : fixture.number,
        headSha: "0123456789abcdef0123456789abcdef01234567",
        headRef: fixture.branch ?? "feature/widgets",
        headRepositoryFullName: fixture.headRepositoryFullName === undefined ? "acme/widgets" : fixture.headRepositoryFullName,
      },
    },
    config: { value: config.config, file: config.file, locate: config.locate },
    policy: readPolicy(fixture.policy),
    policySource: fixture.policy === undefined ? { kind: "defaults" } : { kind: "file", location: "acme/.github/.github/paddock-policy.yml@0123456789ab" },
    now: PLAN_TIME,
  });
}

function readPolicy(text: string | undefined): OrgPolicy {
  if (text === undefined) return defaultOrgPolicy();
  const lookup = readOrgPolicy({ text, source: { location: "acme/.github/.github/paddock-policy.yml@0123456789ab" } });
  if (lookup.kind !== "policy") throw new Error(`fixture policy is ${lookup.kind}: ${JSON.stringify(lookup)}`);
  return lookup.policy;
}
