/**
 * Builds the variables that tell steps where each service listens: `PADDOCK_SERVICE_<NAME>_URL`,
 * with the name upper-cased and '-' turned into '_', set to `http://<host>:<port>`. `hostFor`
 * gives the host the steps reach a service at: 127.0.0.1 for the local provider, the Service's
 * cluster DNS name for Kubernetes.
 */
export function serviceUrlVariables<Service extends { name: string; port: number }>(
  services: readonly Service[],
  hostFor: (service: Service) => string,
): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const service of services) {
    variables[serviceUrlVariableName(service.name)] = `http://${hostFor(service)}:${service.port}`;
  }
  return variables;
}

/** Returns the variable name for a service, such as `PADDOCK_SERVICE_API_V2_URL` for `api-v2`. */
export function serviceUrlVariableName(name: string): string {
  return `PADDOCK_SERVICE_${name.toUpperCase().replaceAll("-", "_")}_URL`;
}
