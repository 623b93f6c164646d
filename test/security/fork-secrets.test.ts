import { existsSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildEnvironmentManifests, listEnvironmentObjects } from "../../src/providers/kubernetes/manifests/environment-manifests.ts";
import { buildStepJobManifest, SOURCE_CONTAINER_NAME, STEP_CONTAINER_NAME } from "../../src/providers/kubernetes/manifests/job-manifest.ts";
import { readHostLayout } from "../../src/providers/local/host-layout.ts";
import { readOrgPolicy } from "../../src/policy/load-org-policy.ts";
import { planFixture } from "../hostile/support/plan-fixture.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { probeConfig, readProbeFindings } from "./support/probe-step.ts";
import { UNTHROTTLED_OCTOKIT, runProbe } from "./support/run-probe.ts";

const FORK = { headRepositoryFullName: "stranger/widgets", sender: { login: "stranger", id: 666, type: "User" } };
/** Lets fork pull requests run without an approval, so the suite can see what a fork's step gets. */
const FORKS_WITHOUT_APPROVAL = "profiles:\n  fork:\n    approval: none\n";

function forkJob(config: string) {
  const plan = planFixture({ config, ...FORK });
  const job = buildStepJobManifest({
    environment: plan.environment,
    step: plan.steps[0]!,
    jobName: "probe-0123456789",
    secretName: "probe-0123456789",
    sourceUrl: "https://api.github.com/repos/acme/widgets/tarball/0123456789abcdef0123456789abcdef01234567",
    image: "node:24",
    sourceImage: "curlimages/curl:8.11.1",
    ephemeralStorage: "4Gi",
    podAnnotations: {},
  });
  return { plan, job, pod: job.spec!.template.spec! };
}

describe("fork pull requests on Kubernetes", () => {
  it("are planned under the fork profile without secrets", () => {
    const { plan } = forkJob(probeConfig());

    expect(plan.decision.effective.actorClass).toBe("fork");
    expect(plan.decision.effective.secrets).toBe(false);
    expect(plan.decision.verdict).toBe("approval_required");
  });

  it("give the step container no secret, token or service account token", () => {
    const { pod } = forkJob(probeConfig({ stepEnv: { MODE: "test" } }));
    const step = pod.containers.find((container) => container.name === STEP_CONTAINER_NAME)!;

    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers).toHaveLength(1);
    expect(step.env?.filter((variable) => variable.valueFrom !== undefined)).toEqual([]);
    expect(step.envFrom).toBeUndefined();
    expect(step.volumeMounts).toEqual([{ name: "workspace", mountPath: "/workspace" }]);
    expect(pod.volumes).toEqual([{ name: "workspace", emptyDir: {} }]);
    expect(step.env?.map((variable) => variable.name).filter((name) => /token|secret|key/i.test(name))).toEqual([]);
  });

  it("give only the source container the job's own source token", () => {
    const { pod } = forkJob(probeConfig());
    const source = pod.initContainers!.find((container) => container.name === SOURCE_CONTAINER_NAME)!;

    expect(pod.initContainers).toHaveLength(1);
    expect(source.env?.filter((variable) => variable.valueFrom !== undefined)).toEqual([
      { name: "PADDOCK_SOURCE_TOKEN", valueFrom: { secretKeyRef: { name: "probe-0123456789", key: "token" } } },
    ]);
  });

  it("bind the step service account to a role with no rules", () => {
    const { plan } = forkJob(probeConfig());
    const objects = listEnvironmentObjects(buildEnvironmentManifests(plan.environment, { podSecurityVersion: "v1.37", ephemeralStorage: "4Gi" }));
    const role = objects.find((object) => object.kind === "Role") as { rules: unknown[] };

    expect(role.rules).toEqual([]);
    expect(objects.filter((object) => object.kind === "Secret")).toEqual([]);
  });

  it("are denied when the repository asks for secrets", () => {
    const plan = planFixture({ config: `environment:\n  secrets: true\n${probeConfig()}`, ...FORK });

    expect(plan.decision.verdict).toBe("denied");
    expect(plan.decision.violations?.map((violation) => violation.rule)).toEqual(["profiles.fork.secrets"]);
  });

  it("cannot get secrets from an org policy", () => {
    const lookup = readOrgPolicy({ text: "profiles:\n  fork:\n    secrets: true\n", source: {} });

    expect(lookup.kind === "invalid" ? lookup.problems.map((problem) => problem.message) : []).toEqual([
      "secrets are never mounted for fork pull requests: set false or remove the field",
    ]);
  });
});

describe("fork pull requests in the local sandbox", () => {
  let github: LoopbackGitHub;
  let app: PaddockUnderTest;
  let findings: ReturnType<typeof readProbeFindings>;

  beforeAll(async () => {
    github = await startLoopbackGitHub();
    app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit: UNTHROTTLED_OCTOKIT });
    const { run, checkout } = await runProbe({ github, app, config: probeConfig(), policy: FORKS_WITHOUT_APPROVAL, spec: FORK });
    expect(run?.conclusion).toBe("success");
    findings = readProbeFindings(checkout!);
  });

  afterAll(async () => {
    await app.stop();
    await github.close();
    github.assertNoViolations();
  });

  it("get only Paddock's four variables and the shell's PWD", () => {
    expect(findings.envNames).toEqual(["CI", "HOME", "PADDOCK", "PATH", "PWD"]);
  });

  it("get no installation token", () => {
    const tokens = github.tokens.issued();

    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.filter((token) => findings.envText.includes(token))).toEqual([]);
  });

  it("find no secret mounts", () => {
    expect(findings.secretPaths).toEqual([]);
  });

  it("see only system folders, never the host's home, state or /work", async () => {
    const system = (await readHostLayout()).map((entry) => entry.path.slice(1));
    // A Node outside the system folders (CI's Node 24 lives under $HOME/.cache) is bound alone,
    // which creates its top folder in the sandbox but shows nothing else of it.
    const nodeTop = process.execPath.split("/")[1]!;
    const node = system.includes(nodeTop) ? [] : [nodeTop];

    expect(findings.root.sort()).toEqual([...system, ...node, "dev", "etc", "proc", "tmp", "workspace"].sort());
    expect(existsSync(app.stateDir)).toBe(true);
  });
});
