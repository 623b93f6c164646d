/**
 * Returns the variables through which steps reach services: `PADDOCK_SERVICE_<NAME>_URL` for
 * each, the name upper-cased with `-` turned into `_`.
 */
export function serviceUrlEnvironment(serviceUrls: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(serviceUrls).map(([name, url]) => [`PADDOCK_SERVICE_${name.toUpperCase().replaceAll("-", "_")}_URL`, url]));
}
