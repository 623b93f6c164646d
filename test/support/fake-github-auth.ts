import { FAKE_TOKEN_PREFIX } from "./fake-github-tokens.ts";

// Routes outside /app that GitHub also authenticates with the app's JWT.
const JWT_ROUTES_OUTSIDE_APP = new Set([
  "/repos/{owner}/{repo}/installation",
  "/orgs/{org}/installation",
  "/users/{username}/installation",
]);

// The manifest conversion is the one /app route that takes no credentials at all.
const UNAUTHENTICATED_ROUTES = new Set(["/app-manifests/{code}/conversions"]);

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Checks the `authorization` header the way GitHub splits its endpoints: app endpoints need
 * the app's JWT (`Bearer <jwt>`), every other endpoint needs a token and rejects the JWT.
 * A token with the fake's prefix must have been minted by this fake. Returns the problem, or
 * `undefined` when the credentials fit.
 */
export function checkAuthorization(options: {
  pathTemplate: string;
  authorization: string | undefined;
  isMinted: (token: string) => boolean;
}): string | undefined {
  const { pathTemplate, authorization, isMinted } = options;
  if (UNAUTHENTICATED_ROUTES.has(pathTemplate)) return undefined;

  const [scheme = "", credential = ""] = (authorization ?? "").split(/\s+/, 2);
  const isJwt = scheme.toLowerCase() === "bearer" && JWT_SHAPE.test(credential);
  const needsJwt = pathTemplate === "/app" || pathTemplate.startsWith("/app/") || JWT_ROUTES_OUTSIDE_APP.has(pathTemplate);

  if (needsJwt) {
    return isJwt ? undefined : `${pathTemplate} requires the app's JWT (Authorization: Bearer <jwt>), got ${describe(authorization)}`;
  }
  if (!authorization) return "the request has no Authorization header; GitHub needs an installation or user token here";
  if (isJwt) return `GitHub rejects the app's JWT on ${pathTemplate}; use an installation token`;
  if (credential.startsWith(FAKE_TOKEN_PREFIX) && !isMinted(credential)) {
    return `the token ${credential} was never minted by this fake`;
  }
  return undefined;
}

function describe(authorization: string | undefined): string {
  if (!authorization) return "no Authorization header";
  return `"${authorization.split(/\s+/)[0]} ..."`;
}
