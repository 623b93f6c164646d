import type { V1NetworkPolicy, V1NetworkPolicyEgressRule, V1NetworkPolicyIngressRule, V1NetworkPolicyPeer, V1NetworkPolicyPort } from "@kubernetes/client-node";

import type { EnvironmentSpec } from "../../provider.ts";
import type { EgressRules } from "./egress-rules.ts";
import { buildObjectMetadata } from "./object-metadata.ts";

/** Name of the environment's NetworkPolicy. */
export const NETWORK_POLICY_NAME = "paddock-default-deny";
/** Annotation listing egress host names that the NetworkPolicy could not open, comma-separated. */
export const EGRESS_HOSTS_ANNOTATION = "paddock.dev/egress-hosts";

const DNS_RULE: V1NetworkPolicyEgressRule = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/**
 * An ingress rule as the API server reads it. client-node's `V1NetworkPolicyIngressRule` spells
 * `from` as `_from`, and apply requests send the object as written.
 */
interface IngressRuleManifest {
  from: V1NetworkPolicyPeer[];
  ports?: V1NetworkPolicyPort[];
}

/** Rule that lets pods of the namespace reach each other: steps and services. */
const SAME_NAMESPACE = [{ podSelector: {} }];

/**
 * Builds the NetworkPolicy that selects every pod of the namespace and denies all ingress and
 * egress except DNS to kube-system, CIDRs from the egress entries, or everything for `*`.
 * An environment with services also allows traffic between its own pods, and ingress from any
 * namespace to the exposed service's port, where the ingress controller runs.
 * NOTE: a NetworkPolicy matches addresses, not host names, so egress to a host name stays closed.
 * The names are kept in the `paddock.dev/egress-hosts` annotation for an egress proxy or a
 * policy engine that can match them.
 */
export function buildNetworkPolicyManifest(options: { environment: EnvironmentSpec; namespace: string; egress: EgressRules }): V1NetworkPolicy {
  const { environment, namespace, egress } = options;
  const rules: V1NetworkPolicyEgressRule[] = [DNS_RULE];
  if (egress.any) rules.push({});
  else if (egress.cidrs.length > 0) rules.push({ to: egress.cidrs.map((cidr) => ({ ipBlock: { cidr } })) });
  const stack = environment.stack;
  const internal = stack !== undefined && (stack.services.length > 0 || stack.deploySteps);
  if (internal) rules.push({ to: SAME_NAMESPACE });
  const ingress: IngressRuleManifest[] = internal ? [{ from: SAME_NAMESPACE }] : [];
  if (stack?.expose !== undefined) {
    ingress.push({ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: stack.expose.port }] });
  }

  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: buildObjectMetadata({ environment, name: NETWORK_POLICY_NAME, namespace, annotations: egressAnnotations(egress) }),
    // No `ingress` rules denies all ingress. An empty list would be stored as absent, so every
    // apply would see a change and write again.
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: rules, ...(ingress.length > 0 ? { ingress: ingress as unknown as V1NetworkPolicyIngressRule[] } : {}) },
  };
}

/** Returns the annotation that records unexpressed egress host names, or none. */
export function egressAnnotations(egress: EgressRules): Record<string, string> {
  return egress.hosts.length === 0 ? {} : { [EGRESS_HOSTS_ANNOTATION]: egress.hosts.join(",") };
}
