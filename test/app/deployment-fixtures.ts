import { shaOf } from "./governance-fixtures.ts";

/** A deployment as GitHub's create endpoint returns it, with the fields its schema requires. */
export function deploymentObject(id: number): Record<string, unknown> {
  return {
    url: `https://api.github.com/repos/Codertocat/Hello-World/deployments/${id}`,
    id,
    node_id: `DE_${id}`,
    sha: shaOf("a"),
    ref: shaOf("a"),
    task: "deploy",
    payload: {},
    environment: "preview",
    description: null,
    creator: null,
    created_at: "2026-12-05T00:00:00Z",
    updated_at: "2026-12-05T00:00:00Z",
    statuses_url: `https://api.github.com/repos/Codertocat/Hello-World/deployments/${id}/statuses`,
    repository_url: "https://api.github.com/repos/Codertocat/Hello-World",
    transient_environment: true,
    production_environment: false,
  };
}

/** A deployment status as GitHub's create endpoint returns it, with the fields its schema requires. */
export function statusObject(body: { state: string }): Record<string, unknown> {
  return {
    url: "https://api.github.com/repos/Codertocat/Hello-World/deployments/901/statuses/1",
    id: 1,
    node_id: "DES_1",
    state: body.state,
    creator: null,
    description: "",
    environment: "preview",
    target_url: "",
    created_at: "2026-12-05T00:00:00Z",
    updated_at: "2026-12-05T00:00:00Z",
    deployment_url: "https://api.github.com/repos/Codertocat/Hello-World/deployments/901",
    repository_url: "https://api.github.com/repos/Codertocat/Hello-World",
  };
}
