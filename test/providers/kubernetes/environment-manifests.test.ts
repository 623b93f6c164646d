import { describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { classifyEgress } from "../../../src/providers/kubernetes/manifests/egress-rules.ts";
import { buildEnvironmentManifests, listEnvironmentObjects } from "../../../src/providers/kubernetes/manifests/environment-manifests.ts";
import type { EnvironmentSpec } from "../../../src/providers/provider.ts";

const environment: EnvironmentSpec = {
  name: "app-pr-7-0123456789",
  labels: { "app.kubernetes.io/managed-by": "paddock", "paddock.dev/key": "0123456789" },
  annotations: { "paddock.dev/repository": "acme/app" },
  resources: { cpu: "2", memory: "4Gi" },
  egress: [],
  ttlSeconds: 3600,
};
const options = { podSecurityVersion: "v1.37", ephemeralStorage: "4Gi" };

describe("buildEnvironmentManifests", () => {
  it("lists objects in apply order", () => {
    const objects = listEnvironmentObjects(buildEnvironmentManifests(environment, options));

    expect(objects.map((object) => `${object.kind}/${object.metadata?.name}`)).toEqual([
      "Namespace/app-pr-7-0123456789",
      "ResourceQuota/paddock-quota",
      "LimitRange/paddock-limits",
      "NetworkPolicy/paddock-default-deny",
      "ServiceAccount/paddock-step",
      "Role/paddock-step",
      "RoleBinding/paddock-step",
    ]);
  });

  it("namespace enforces the restricted standard", () => {
    const { namespace } = buildEnvironmentManifests(environment, options);

    expect(namespace.metadata?.labels).toEqual({
      ...environment.labels,
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.37",
    });
  });

  it("quota fits one step", () => {
    const quota = buildEnvironmentManifests(environment, options).independent[0];

    expect((quota as { spec: unknown }).spec).toEqual({
      hard: {
        "requests.cpu": "2",
        "limits.cpu": "2",
        "requests.memory": "4Gi",
        "limits.memory": "4Gi",
        "requests.ephemeral-storage": "4Gi",
        "limits.ephemeral-storage": "4Gi",
        pods: "4",
      },
    });
  });

  it("role grants nothing", () => {
    const role = buildEnvironmentManifests(environment, options).independent[4];

    expect((role as { rules: unknown }).rules).toEqual([]);
  });

  it("star opens all egress", () => {
    const policy = buildEnvironmentManifests({ ...environment, egress: ["*"] }, options).independent[2] as { spec: { egress: unknown[] } };

    expect(policy.spec.egress).toHaveLength(2);
    expect(policy.spec.egress[1]).toEqual({});
  });

  it("no egress allows only DNS", () => {
    const policy = buildEnvironmentManifests(environment, options).independent[2] as { spec: { egress: unknown[]; ingress?: unknown } };

    expect(policy.spec.egress).toHaveLength(1);
    expect(policy.spec.ingress).toBeUndefined();
  });
});

describe("classifyEgress", () => {
  it("sorts CIDRs, hosts and star", () => {
    expect(classifyEgress(["10.1.2.3/8", "192.0.2.1", "api.github.com", "*", "2001:db8::/32", "API.github.com"])).toEqual({
      any: true,
      cidrs: ["10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32"],
      hosts: ["api.github.com"],
    });
  });

  it("rejects an invalid prefix", () => {
    expect(() => classifyEgress(["10.0.0.0/33"])).toThrow(PaddockError);
    expect(() => classifyEgress(["10.0.0.0/33"])).toThrow("egress entry 10.0.0.0/33 is not a valid CIDR");
  });
});
