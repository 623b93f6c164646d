/**
 * Builds the `app` object GitHub embeds in check runs (the `integration` schema), with every
 * field that schema requires, for the app with this id.
 */
export function fakeAppObject(appId: number): Record<string, unknown> {
  const slug = "paddock-test";
  return {
    id: appId,
    slug,
    node_id: `A_fake${appId}`,
    client_id: `Iv1.fake${appId}`,
    owner: fakeOwner(),
    name: "Paddock (test)",
    description: "Test double of the Paddock GitHub App",
    external_url: "https://paddock.test",
    html_url: `https://github.com/apps/${slug}`,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    permissions: { checks: "write", contents: "read", metadata: "read", pull_requests: "read" },
    events: ["check_run", "pull_request", "push"],
  };
}

function fakeOwner(): Record<string, unknown> {
  const login = "paddock-test-org";
  return {
    login,
    id: 1,
    node_id: "O_fake1",
    avatar_url: "https://avatars.githubusercontent.com/u/1?v=4",
    gravatar_id: "",
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: `https://api.github.com/users/${login}/followers`,
    following_url: `https://api.github.com/users/${login}/following{/other_user}`,
    gists_url: `https://api.github.com/users/${login}/gists{/gist_id}`,
    starred_url: `https://api.github.com/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `https://api.github.com/users/${login}/subscriptions`,
    organizations_url: `https://api.github.com/users/${login}/orgs`,
    repos_url: `https://api.github.com/users/${login}/repos`,
    events_url: `https://api.github.com/users/${login}/events{/privacy}`,
    received_events_url: `https://api.github.com/users/${login}/received_events`,
    type: "Organization",
    site_admin: false,
  };
}
