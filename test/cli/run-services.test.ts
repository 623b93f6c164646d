import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample } from "../support/webhook-examples.ts";
import { findProcessesWithMarker, writeServiceStack } from "../providers/local/service-stack.ts";
import { runCli } from "./cli-harness.ts";

/** Argument of every service command, so that this file's leftovers can be found in /proc. */
const MARKER = `paddock-run-services-${randomUUID()}`;

/** A config whose test step calls the api service, which calls the store service. */
const STACK_CONFIG = [
  "services:",
  "  - name: store",
  "    image: node:24",
  `    run: exec node store.js ${MARKER}`,
  "    port: 9090",
  "    env: { STORE_NAME: paddock }",
  "  - name: api",
  "    image: node:24",
  `    run: exec node api.js ${MARKER}`,
  "    port: 8080",
  "    ready: { http: /healthz }",
  "steps:",
  "  - name: test",
  "    image: node:24",
  "    run: node client.js",
  "    timeout: 2m",
  "",
].join("\n");

/** Creates a sample repository with the service stack and `config` as its Paddock config. */
async function createStackRepository(config: string) {
  const directory = mkdtempSync(join(tmpdir(), "paddock-stack-"));
  await writeServiceStack(directory);
  const files: Record<string, string> = { ".github/paddock.yml": config };
  for (const name of ["store.js", "api.js", "client.js"]) files[name] = readFileSync(join(directory, name), "utf8");
  return createSampleRepository({ files });
}

function writePayload(): string {
  const directory = mkdtempSync(join(tmpdir(), "paddock-run-"));
  writeFileSync(join(directory, "event.json"), JSON.stringify(loadWebhookExample({ name: "pull_request", action: "opened" })));
  return directory;
}

describe("paddock run with services", () => {
  it("runs a test step against two services", { timeout: 120_000 }, async () => {
    const sample = await createStackRepository(STACK_CONFIG);
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", join(cwd, "state"), "--json"], { cwd });

    const rendered = JSON.parse(result.stdout);
    expect(rendered.conclusion).toBe("success");
    expect(result.code).toBe(0);
    expect(rendered.title).toBe("1 of 1 step passed");
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
    // Progress names each service while it starts, so a slow ready check is not silent.
    expect(result.stderr.split("\n").filter((line) => /^paddock: (service|step) /.test(line))).toEqual([
      "paddock: service store starting",
      "paddock: service api starting",
      "paddock: service store ready",
      "paddock: service api ready",
      "paddock: step test running",
      "paddock: step test success",
    ]);
    expect(rendered.summary).toMatch(/\| Service \| Status \| Ready after \| Detail \|\n\| --- \| --- \| --- \| --- \|\n\| store \| ready \| [^|]+ \|  \|\n\| api \| ready \| [^|]+ \|  \|/);
    // Both services are charged their requests from ready to stop; the local provider stops them with the steps.
    expect(rendered.summary).toMatch(/\| service store \| requests × time \(ran while the steps ran\) \| (\d+\.\d{4}|< 0\.0001) \|\n\| service api \| requests × time \(ran while the steps ran\) \| (\d+\.\d{4}|< 0\.0001) \|\n\| Total so far \|/);
  });

  it("notes images and expose the local provider ignores", { timeout: 120_000 }, async () => {
    const config = STACK_CONFIG.replace("services:", "images:\n  - name: api\nservices:")
      .replace("    image: node:24\n    run: exec node api.js", "    image: api\n    run: exec node api.js")
      .replace("steps:", "expose: { service: api, port: 8080 }\nsteps:");
    const sample = await createStackRepository(config);
    const cwd = writePayload();
    writeFileSync(join(cwd, "policy.yml"), "preview:\n  host: '{environment}.preview.example.com'\nbuild:\n  registry: registry.example.com/paddock\n");

    const result = await runCli(
      ["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", join(cwd, "state"), "--org-policy", "policy.yml", "--json"],
      { cwd },
    );

    const rendered = JSON.parse(result.stdout);
    expect(config).toContain("images:\n  - name: api\n");
    expect(config).toContain("    image: api\n");
    expect(result.code).toBe(0);
    expect(rendered.conclusion).toBe("success");
    expect(rendered.summary).toContain("was built; pass --ref to choose.\n- images api not built and expose ignored: the local provider builds no images and makes no preview URL\n");
    expect(await findProcessesWithMarker(MARKER)).toEqual([]);
  });

  it("fails the run when a service never gets ready", { timeout: 120_000 }, async () => {
    const config = STACK_CONFIG.replace("    ready: { http: /healthz }", "    ready: { http: /missing }\n    timeout: 10s");
    const sample = await createStackRepository(config);
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", join(cwd, "state"), "--json"], { cwd });

    const rendered = JSON.parse(result.stdout);
    expect(result.code).toBe(1);
    expect(rendered.conclusion).toBe("failure");
    expect(rendered.title).toBe("A service failed, so no step ran: service api was not ready after 10s: GET /missing returned HTTP 404");
    expect(rendered.summary).toContain("| api | failed | – | service api was not ready after 10s: GET /missing returned HTTP 404 |");
    expect(rendered.summary).toContain("| test | skipped |");
    expect(rendered.text).toContain("### Service api failed\n\nservice api was not ready after 10s: GET /missing returned HTTP 404. Last lines of its output:\n\n```\napi listening on 8080\n```");
    expect(result.stderr).toBe(
      [
        "paddock: service store starting",
        "paddock: service api starting",
        'paddock: warn: service failed: service=api reason="service api was not ready after 10s: GET /missing returned HTTP 404"',
        "paddock: service store ready",
        "paddock: service api failed",
        "paddock: step test skipped",
        "",
      ].join("\n"),
    );
  });

  it("names the missing run command of a service", { timeout: 120_000 }, async () => {
    const config = STACK_CONFIG.replace(`    run: exec node store.js ${MARKER}\n`, "");
    const sample = await createStackRepository(config);
    const cwd = writePayload();

    const result = await runCli(["run", "--event", "pull_request", "--payload", "event.json", "--repo", sample.directory, "--state-dir", join(cwd, "state"), "--json"], { cwd });

    const rendered = JSON.parse(result.stdout);
    expect(rendered.conclusion).toBe("failure");
    expect(rendered.summary).toContain(
      "**A service failed, so no step ran: service store has no run command, which the local provider needs because it builds and pulls no images: add run, such as run: node server.js**",
    );
  });
});
