import {
  HTTP_METHODS,
  dereference,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiParameter,
} from "./openapi-spec.ts";

/** One operation of the document, with a regular expression that matches its paths. */
export interface OpenApiRoute {
  /** Uppercase HTTP method. */
  method: string;
  /** The path as the document writes it, e.g. `/repos/{owner}/{repo}/check-runs/{check_run_id}`. */
  pathTemplate: string;
  operation: OpenApiOperation;
  /** The path and query parameters with every `$ref` resolved. */
  parameters: OpenApiParameter[];
  pattern: RegExp;
  /** Names of the path parameters, in the order of the pattern's capture groups. */
  parameterNames: string[];
  /** Characters outside `{...}`: the route with more of them is the more specific match. */
  literalLength: number;
  multiSegmentCount: number;
}

/** A route that matched a request path, with its path parameters still percent-encoded. */
export interface RouteMatch {
  route: OpenApiRoute;
  encodedParams: Record<string, string>;
}

/** Lookups over every operation of GitHub's REST API. */
export interface OpenApiRouteIndex {
  /** Returns the most specific route for this method and path (no query string), if any. */
  match(method: string, path: string): RouteMatch | undefined;
  /** Returns the uppercase methods that have a route matching this path. */
  methodsForPath(path: string): string[];
  /** Returns the route with exactly this method and path template, if the document has it. */
  findByTemplate(method: string, pathTemplate: string): OpenApiRoute | undefined;
}

/** Indexes every operation of the document by method and path template. */
export function indexOpenApiRoutes(document: OpenApiDocument): OpenApiRouteIndex {
  const routesByMethod = new Map<string, OpenApiRoute[]>();

  for (const [pathTemplate, pathItem] of Object.entries(document.paths)) {
    for (const lowerMethod of HTTP_METHODS) {
      const operation = pathItem[lowerMethod] as OpenApiOperation | undefined;
      if (!operation) continue;

      const route = buildRoute(document, lowerMethod.toUpperCase(), pathTemplate, operation);
      const routes = routesByMethod.get(route.method) ?? [];
      routes.push(route);
      routesByMethod.set(route.method, routes);
    }
  }

  return {
    match: (method, path) => matchRoute(routesByMethod.get(method.toUpperCase()) ?? [], path),
    methodsForPath: (path) =>
      [...routesByMethod.keys()].filter((method) => matchRoute(routesByMethod.get(method) ?? [], path)),
    findByTemplate: (method, pathTemplate) =>
      routesByMethod.get(method.toUpperCase())?.find((route) => route.pathTemplate === pathTemplate),
  };
}

function buildRoute(
  document: OpenApiDocument,
  method: string,
  pathTemplate: string,
  operation: OpenApiOperation,
): OpenApiRoute {
  const parameters = (operation.parameters ?? []).map((parameter) => dereference(document, parameter));
  const multiSegmentNames = new Set(
    parameters.filter((p) => p.in === "path" && p["x-multi-segment"]).map((p) => p.name),
  );

  const parameterNames: string[] = [];
  let literalLength = 0;
  let source = "^";

  // Split keeps the captured names at odd indexes: "/a/{b}/c" -> ["/a/", "b", "/c"].
  const parts = pathTemplate.split(/\{([^}]+)\}/);
  parts.forEach((part, index) => {
    if (index % 2 === 0) {
      literalLength += part.length;
      source += escapeRegExp(part);
      return;
    }
    parameterNames.push(part);
    // A multi-segment parameter (a file path, a branch with slashes) may span several segments.
    source += multiSegmentNames.has(part) ? "([^/]+(?:/[^/]+)*?)" : "([^/]+?)";
  });

  return {
    method,
    pathTemplate,
    operation,
    parameters,
    pattern: new RegExp(`${source}$`),
    parameterNames,
    literalLength,
    multiSegmentCount: multiSegmentNames.size,
  };
}

function matchRoute(routes: OpenApiRoute[], path: string): RouteMatch | undefined {
  let best: RouteMatch | undefined;

  for (const route of routes) {
    const groups = route.pattern.exec(path);
    if (!groups) continue;
    if (best && !isMoreSpecific(route, best.route)) continue;

    const encodedParams: Record<string, string> = {};
    route.parameterNames.forEach((name, index) => {
      encodedParams[name] = groups[index + 1] ?? "";
    });
    best = { route, encodedParams };
  }
  return best;
}

// `/branches/{branch}/protection` beats `/branches/{branch}` for ".../branches/x/protection".
function isMoreSpecific(candidate: OpenApiRoute, current: OpenApiRoute): boolean {
  if (candidate.literalLength !== current.literalLength) {
    return candidate.literalLength > current.literalLength;
  }
  return candidate.multiSegmentCount < current.multiSegmentCount;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
