import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildEnvironmentManifests } from "../../src/providers/kubernetes/manifests/environment-manifests.ts";
import { EGRESS_HOSTS_ANNOTATION } from "../../src/providers/kubernetes/manifests/network-policy-manifest.ts";
import { planFixture } from "../hostile/support/plan-fixture.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { startPaddockServer, type PaddockUnderTest } from "../loopback-github/paddock-server.ts";
import { probeConfig, readProbeFindings } from "./support/probe-step.ts";
import { UNTHROTTLED_OCTOKIT, runProbe } from "./support/run-probe.ts";

const AGENT = { sender: { login: "copilot-swe-agent[bot]", id: 198982749, type: "Bot" }, branch: "copilot/fix-widgets" };
const ALLOWLIST_POLICY = 'profiles:\n  agent:\n    egress: ["registry.npmjs.org", "*.github.com"]\n';
const DNS_ONLY = [
  {
    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  },
];

function agentNetworkPolicy(options: { egress?: string; policy?: string }) {
  const environment = options.egress === undefined ? "" : `environment:\n  egress: ${options.egress}\n`;
  const plan = planFixture({ config: `${environment}${probeConfig()}`, ...AGENT, ...(options.policy ? { policy: options.policy } : {}) });
  const manifests = buildEnvironmentManifests(plan.environment, { podSecurityVersion: "v1.37", ephemeralStorage: "4Gi" });
  const networkPolicy = manifests.independent.find((object) => object.kind === "NetworkPolicy") as { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> };
  return { plan, networkPolicy };
}

describe("agent egress on Kubernetes", () => {
  it("allows only DNS by default", () => {
    const { plan, networkPolicy } = agentNetworkPolicy({});

    expect(plan.decision.effective.actorClass).toBe("agent");
    expect(networkPolicy.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: DNS_ONLY });
    expect(networkPolicy.metadata.annotations[EGRESS_HOSTS_ANNOTATION]).toBeUndefined();
  });

  it("opens no address for an allowlisted host name", () => {
    const { plan, networkPolicy } = agentNetworkPolicy({ egress: '["registry.npmjs.org"]', policy: ALLOWLIST_POLICY });

    expect(plan.decision.verdict).toBe("allowed");
    expect(networkPolicy.spec.egress).toEqual(DNS_ONLY);
    expect(networkPolicy.metadata.annotations[EGRESS_HOSTS_ANNOTATION]).toBe("registry.npmjs.org");
  });

  it.each([
    ["a host off the allowlist", "attacker.invalid"],
    ["every host", "*"],
    ["an address block", "0.0.0.0/0"],
  ])("denies %s", (_label, host) => {
    const { plan } = agentNetworkPolicy({ egress: JSON.stringify([host]), policy: ALLOWLIST_POLICY });

    expect(plan.decision.verdict).toBe("denied");
    expect(plan.decision.violations).toEqual([
      {
        rule: "profiles.agent.egress",
        message: `environment.egress host ${host} is not in profiles.agent.egress [registry.npmjs.org, *.github.com]`,
        location: { file: ".github/paddock.yml", line: 2, column: 12, field: "environment.egress.0" },
      },
    ]);
  });
});

describe("agent egress in the local sandbox", () => {
  let github: LoopbackGitHub;
  let app: PaddockUnderTest;
  let listener: Server;
  let port: number;
  let connections = 0;

  /** Config of a step that probes, then tries to reach the test's listener on the host's loopback. */
  function connectConfig(environment = ""): string {
    const connect = `node -e "const s=require('net').connect(Number(process.env.PROBE_PORT),'127.0.0.1');s.on('connect',()=>{require('fs').writeFileSync('seen-connect.txt','connected');s.end()});s.on('error',(e)=>require('fs').writeFileSync('seen-connect.txt',e.code))"`;
    return probeConfig({ environment, stepEnv: { PROBE_PORT: String(port) } }).replace("      true\n", `      ${connect}\n`);
  }

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections += 1;
      socket.end();
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    port = (listener.address() as { port: number }).port;
    github = await startLoopbackGitHub();
    app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit: UNTHROTTLED_OCTOKIT });
  });

  afterAll(async () => {
    await app.stop();
    await github.close();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    github.assertNoViolations();
  });

  it("runs an agent step in a network namespace of its own", async () => {
    const before = connections;
    const { run, checkout } = await runProbe({ github, app, config: connectConfig(), spec: { headRef: AGENT.branch, sender: AGENT.sender } });

    expect(run?.conclusion).toBe("success");
    expect(readProbeFindings(checkout!).interfaces).toEqual(["lo"]);
    expect(readFileSync(join(checkout!, "seen-connect.txt"), "utf8")).toBe("ECONNREFUSED");
    expect(connections).toBe(before);
  });

  it("keeps the network closed for an allowlisted host name", async () => {
    const before = connections;
    const { run, checkout } = await runProbe({ github, app, config: connectConfig('environment:\n  egress: ["registry.npmjs.org"]\n'), policy: ALLOWLIST_POLICY, spec: { headRef: AGENT.branch, sender: AGENT.sender } });

    expect(run?.conclusion).toBe("success");
    expect(readProbeFindings(checkout!).interfaces).toEqual(["lo"]);
    expect(connections).toBe(before);
  });

  it("reaches the host for a human with egress to every host", async () => {
    // The control case: the same probe does connect when policy opens the network.
    const before = connections;
    const { run, checkout } = await runProbe({ github, app, config: connectConfig('environment:\n  egress: ["*"]\n'), policy: "profiles:\n  human:\n    egress: [\"*\"]\n" });

    expect(run?.conclusion).toBe("success");
    expect(readFileSync(join(checkout!, "seen-connect.txt"), "utf8")).toBe("connected");
    expect(connections).toBe(before + 1);
  });
});
