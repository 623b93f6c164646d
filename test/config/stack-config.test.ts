import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/parse-config-file.ts";
import { repoConfigSchema } from "../../src/config/repo-config-schema.ts";

const FILE = ".github/paddock.yml";
const STEPS = "steps:\n  - name: test\n    run: npm test\n";
const parse = (text: string) => parseConfigFile({ text: STEPS + text, file: FILE, schema: repoConfigSchema });

/** Parses a config that must be invalid and returns its problems, line numbers counted from the whole file. */
function problemsOf(text: string) {
  const result = parse(text);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.problems;
}

describe("stack config", () => {
  it("fills defaults for images, services and expose", () => {
    const text = [
      "images:",
      "  - name: web",
      "    target: prod",
      "    args: { NODE_ENV: production }",
      "services:",
      "  - name: web",
      "    image: web",
      "    run: node server.js",
      "    port: 8080",
      "    ready: { http: /healthz }",
      "  - name: db",
      "    image: postgres:16",
      "    port: 5432",
      "    env: { POSTGRES_PASSWORD: example }",
      "    timeout: 2m",
      "expose: { service: web, port: 8080 }",
      "",
    ].join("\n");
    const result = parse(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.images).toEqual([{ name: "web", context: ".", dockerfile: "Dockerfile", target: "prod", args: { NODE_ENV: "production" } }]);
    expect(result.value.services).toEqual([
      { name: "web", image: "web", run: "node server.js", port: 8080, ready: { http: "/healthz" }, timeout: "5m" },
      { name: "db", image: "postgres:16", port: 5432, env: { POSTGRES_PASSWORD: "example" }, timeout: "2m", ready: { tcp: 5432 } },
    ]);
    expect(result.value.expose).toEqual({ service: "web", port: 8080 });
  });

  it("accepts deploy on a step", () => {
    const result = parseConfigFile({ text: "steps:\n  - name: deploy\n    run: helm upgrade --install app chart\n    deploy: true\n", file: FILE, schema: repoConfigSchema });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.steps[0]!.deploy).toBe(true);
  });

  it("accepts external image references", () => {
    const images = ["postgres", "postgres:16", "library/redis:7-alpine", "ghcr.io/acme/api:1.2.3", "localhost:5000/app", `redis@sha256:${"a".repeat(64)}`];
    for (const image of images) {
      const result = parse(`services:\n  - name: s\n    image: ${image === "postgres" ? "docker.io/library/postgres" : image}\n    port: 1\n`);
      expect(result.ok, image).toBe(true);
    }
  });
});

describe("stack config problems", () => {
  it("rejects a bare service image not in images", () => {
    expect(problemsOf("services:\n  - name: db\n    image: postgres\n    port: 5432\n")).toEqual([
      {
        file: FILE,
        line: 6,
        column: 12,
        field: "services.0.image",
        message: 'image "postgres" is not an entry in images: add an images entry named "postgres", or use an image reference with a tag such as postgres:16',
      },
    ]);
  });

  it("suggests the nearest image name", () => {
    expect(problemsOf("images:\n  - name: web\nservices:\n  - name: web\n    image: wbe\n    port: 8080\n")).toEqual([
      { file: FILE, line: 8, column: 12, field: "services.0.image", message: 'image "wbe" is not an entry in images: did you mean "web"?' },
    ]);
  });

  it("rejects duplicate image and service names", () => {
    const text = "images:\n  - name: web\n  - name: web\nservices:\n  - name: db\n    image: postgres:16\n    port: 1\n  - name: db\n    image: postgres:16\n    port: 2\n";
    expect(problemsOf(text)).toEqual([
      { file: FILE, line: 6, column: 11, field: "images.1.name", message: 'duplicate image name "web": each image needs its own name' },
      { file: FILE, line: 11, column: 11, field: "services.1.name", message: 'duplicate service name "db": each service needs its own name' },
    ]);
  });

  it("rejects expose of a service not in services", () => {
    const text = "services:\n  - name: web\n    image: nginx:1\n    port: 80\n  - name: db\n    image: postgres:16\n    port: 5432\nexpose: { service: api, port: 80 }\n";
    expect(problemsOf(text)).toEqual([
      { file: FILE, line: 11, column: 20, field: "expose.service", message: 'service "api" is not in services: use one of web (port 80), db (port 5432)' },
    ]);
  });

  it("suggests the nearest service for expose", () => {
    const text = "services:\n  - name: web\n    image: nginx:1\n    port: 80\nexpose: { service: wbe, port: 80 }\n";
    expect(problemsOf(text)).toEqual([{ file: FILE, line: 8, column: 20, field: "expose.service", message: 'service "wbe" is not in services: did you mean "web" (port 80)?' }]);
  });

  it("rejects expose without services", () => {
    expect(problemsOf("expose: { service: web, port: 80 }\n")).toEqual([
      { file: FILE, line: 4, column: 20, field: "expose.service", message: 'service "web" is not in services: add a service named "web" to services, or remove expose' },
    ]);
  });

  it("rejects expose on another port than the service's", () => {
    const text = "services:\n  - name: web\n    image: nginx:1\n    port: 8080\nexpose: { service: web, port: 80 }\n";
    expect(problemsOf(text)).toEqual([{ file: FILE, line: 8, column: 31, field: "expose.port", message: 'port 80 is not the port of service "web": use 8080' }]);
  });

  it("names the port of the suggested service", () => {
    const text = "services:\n  - name: web\n    image: nginx:1\n    port: 8080\nexpose: { service: api, port: 81 }\n";
    expect(problemsOf(text)).toEqual([{ file: FILE, line: 8, column: 20, field: "expose.service", message: 'service "api" is not in services: use one of web (port 8080)' }]);
  });

  it("checks references when other fields are invalid", () => {
    const text = [
      "environment: { ttl: 5, colour: red }",
      "images:",
      "  - name: web",
      "  - name: web",
      "services:",
      "  - name: web",
      "    image: wbe",
      "    port: 8080",
      "  - name: cache",
      "    image: redis:7",
      "  - name: db",
      "    image: postgres:16",
      "    port: 5432",
      "expose: { service: db, port: 80 }",
      "",
    ].join("\n");
    expect(problemsOf(text).map((problem) => `${problem.line} ${problem.field}: ${problem.message}`)).toEqual([
      expect.stringMatching(/^4 environment\.ttl: /),
      expect.stringMatching(/^4 environment\.colour: unknown field "colour"/),
      expect.stringMatching(/^12 services\.1\.port: required field is missing/),
      '7 images.1.name: duplicate image name "web": each image needs its own name',
      '10 services.0.image: image "wbe" is not an entry in images: did you mean "web"?',
      '17 expose.port: port 80 is not the port of service "db": use 5432',
    ]);
  });

  it("skips references to fields that failed their own checks", () => {
    const text = [
      "images:",
      "  - name: Web_1",
      "services:",
      "  - name: Api_1",
      "    image: web",
      "    port: 8080",
      "  - name: db",
      "    image: postgres:16",
      "    port: 70000",
      "expose: { service: db, port: 80 }",
      "",
    ].join("\n");
    expect(problemsOf(text).map((problem) => problem.field)).toEqual(["images.0.name", "services.0.name", "services.1.port"]);
  });

  it("skips expose when services is not a list", () => {
    const text = "services: web\nexpose: { service: api, port: 80 }\n";
    expect(problemsOf(text).map((problem) => problem.field)).toEqual(["services"]);
  });

  it("rejects bad service fields with their fixes", () => {
    const text = [
      "services:",
      "  - name: Web_1",
      "    image: Nginx:1",
      "    port: 70000",
      "    ready: { http: healthz }",
      "    timeout: 1h",
      "    env: { 1X: y }",
      "",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      { file: FILE, line: 5, column: 11, field: "services.0.name", message: `invalid service name "Web_1": use lowercase letters, digits and '-', starting and ending with a letter or digit` },
      { file: FILE, line: 6, column: 12, field: "services.0.image", message: 'invalid image "Nginx:1": use the name of an entry in images, or an image reference such as postgres:16' },
      { file: FILE, line: 7, column: 11, field: "services.0.port", message: "invalid port 70000: use a whole number from 1 to 65535" },
      { file: FILE, line: 8, column: 20, field: "services.0.ready.http", message: `invalid readiness path "healthz": use a path starting with '/', such as /healthz` },
      { file: FILE, line: 10, column: 16, field: "services.0.env.1X", message: `invalid environment variable name "1X": use letters, digits and '_', not starting with a digit` },
      { file: FILE, line: 9, column: 14, field: "services.0.timeout", message: 'service timeout "1h" is longer than the maximum of 30m: make the service start faster' },
    ]);
  });

  it("rejects a fractional port", () => {
    expect(problemsOf("services:\n  - name: web\n    image: nginx:1\n    port: 80.5\n")).toEqual([
      { file: FILE, line: 7, column: 11, field: "services.0.port", message: "invalid port 80.5: use a whole number from 1 to 65535" },
    ]);
  });

  it("rejects a service name over 40 characters", () => {
    const name = "a".repeat(41);
    expect(problemsOf(`services:\n  - name: ${name}\n    image: nginx:1\n    port: 80\n`)).toEqual([
      { file: FILE, line: 5, column: 11, field: "services.0.name", message: `service name "${name}" is longer than 40 characters: shorten it` },
    ]);
  });

  it("accepts a service name of exactly 40 characters", () => {
    expect(parse(`services:\n  - name: ${"a".repeat(40)}\n    image: nginx:1\n    port: 80\n`).ok).toBe(true);
  });

  it("rejects ready with both or neither check", () => {
    const message = "ready needs exactly one of http or tcp, such as { http: /healthz } or { tcp: 5432 }";
    expect(problemsOf("services:\n  - name: web\n    image: nginx:1\n    port: 80\n    ready: { http: /, tcp: 80 }\n")).toEqual([
      { file: FILE, line: 8, column: 12, field: "services.0.ready", message },
    ]);
    expect(problemsOf("services:\n  - name: web\n    image: nginx:1\n    port: 80\n    ready: {}\n")).toEqual([{ file: FILE, line: 8, column: 12, field: "services.0.ready", message }]);
  });

  it("rejects a missing port", () => {
    expect(problemsOf("services:\n  - name: web\n    image: nginx:1\n")).toEqual([
      { file: FILE, line: 5, column: 5, field: "services.0.port", message: "required field is missing: add it as a number" },
    ]);
  });

  it("rejects build paths outside the checkout", () => {
    const text = "images:\n  - name: web\n    context: ../other\n    dockerfile: /etc/Dockerfile\n    target: -x\n";
    expect(problemsOf(text)).toEqual([
      { file: FILE, line: 6, column: 14, field: "images.0.context", message: `invalid context "../other": use a path relative to the checkout, without '..' and not starting with '/'` },
      { file: FILE, line: 7, column: 17, field: "images.0.dockerfile", message: `invalid dockerfile "/etc/Dockerfile": use a path relative to the checkout, without '..' and not starting with '/'` },
      { file: FILE, line: 8, column: 13, field: "images.0.target", message: 'invalid build target "-x": use the name of a stage in the Dockerfile' },
    ]);
  });

  it("rejects more than 10 services and images", () => {
    const services = Array.from({ length: 11 }, (_, index) => `  - { name: s${index}, image: "nginx:1", port: ${index + 1} }`).join("\n");
    const images = Array.from({ length: 11 }, (_, index) => `  - { name: i${index} }`).join("\n");
    expect(problemsOf(`images:\n${images}\nservices:\n${services}\n`)).toEqual([
      { file: FILE, line: 5, column: 3, field: "images", message: "more than 10 images: build fewer images" },
      { file: FILE, line: 17, column: 3, field: "services", message: "more than 10 services: run fewer services" },
    ]);
  });

  it("rejects an unknown service field", () => {
    expect(problemsOf("services:\n  - name: web\n    image: nginx:1\n    port: 80\n    command: x\n")).toEqual([
      { file: FILE, line: 8, column: 5, field: "services.0.command", message: 'unknown field "command": known fields: name, image, run, port, ready, env, timeout' },
    ]);
  });
});

describe("stack config text", () => {
  it("rejects NUL in a service command and env", () => {
    expect(problemsOf('services:\n  - name: web\n    image: nginx:1\n    port: 80\n    run: "node\\0 s.js"\n    env: { A: "x\\0" }\n')).toEqual([
      {
        file: FILE,
        line: 8,
        column: 10,
        field: "services.0.run",
        message: "service command contains a NUL character at character 5: remove it, because the operating system ends a command argument or environment value at the first NUL",
      },
      {
        file: FILE,
        line: 9,
        column: 15,
        field: "services.0.env.A",
        message: "environment variable A contains a NUL character at character 2: remove it, because the operating system ends a command argument or environment value at the first NUL",
      },
    ]);
  });

  it("rejects control characters in build paths and readiness paths", () => {
    const text = 'images:\n  - name: web\n    context: "app\\e"\nservices:\n  - name: web\n    image: web\n    port: 80\n    ready: { http: "/h\\x01" }\n';
    expect(problemsOf(text)).toEqual([
      { file: FILE, line: 6, column: 14, field: "images.0.context", message: "context contains the control character U+001B at character 4: use printable characters only" },
      { file: FILE, line: 11, column: 20, field: "services.0.ready.http", message: `invalid readiness path "/h\\u0001": use a path starting with '/', such as /healthz` },
    ]);
  });
});
