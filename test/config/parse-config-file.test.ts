import { describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES, parseConfigFile } from "../../src/config/parse-config-file.ts";
import { repoConfigSchema } from "../../src/config/repo-config-schema.ts";

const FILE = ".github/paddock.yml";
const parse = (text: string) => parseConfigFile({ text, file: FILE, schema: repoConfigSchema });

describe("parseConfigFile", () => {
  it("fills defaults for a minimal config", () => {
    // The environment has no defaults here: unset settings fall back to the actor's profile.
    expect(parse("steps:\n  - name: test\n    run: npm test\n")).toEqual({
      ok: true,
      value: { steps: [{ name: "test", run: "npm test", timeout: "10m", env: {} }] },
      locate: expect.any(Function),
    });
  });

  it("rejects text that is not YAML", () => {
    expect(parse("steps: [\n  - name: a\n")).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 2, column: 3, field: "", message: "invalid YAML: Block collections are not allowed within flow collections" },
        { file: FILE, line: 3, column: 1, field: "", message: "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" },
      ],
    });
  });

  it("rejects a duplicate key at its line", () => {
    const result = parse("steps:\n  - name: a\n    run: x\n    run: y\n");
    expect(result).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 4, column: 5, field: "", message: 'duplicate key "run": each key may appear once in a mapping, so remove or rename one' },
      ],
    });
  });

  it("rejects tab indentation", () => {
    const result = parse("steps:\n\t- name: a\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ line: 2, message: "tab used for indentation: YAML indents with spaces only" });
  });

  it("names the field of a wrong type", () => {
    expect(parse("steps:\n  - name: a\n    run: x\n    timeout: 5\n")).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 4, column: 14, field: "steps.0.timeout", message: "wrong type: expected string, got number" }],
    });
  });

  it("names an unknown field and suggests the nearest", () => {
    expect(parse("environment:\n  ttll: 2h\nsteps:\n  - name: a\n    run: x\n")).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 2, column: 3, field: "environment.ttll", message: 'unknown field "ttll": did you mean "ttl"?' }],
    });
  });

  it("locates an empty key on its line", () => {
    expect(parse("steps:\n  - name: a\n    run: x\n: y\n")).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 4, column: 1, field: "", message: "empty or null key: write a field name before the ':' (known fields: $schema, environment, steps, images, services, expose)" }],
    });
  });

  it("lists known fields when nothing is near", () => {
    const result = parse("steps:\n  - name: a\n    run: x\n    zzzzzzzz: 1\n");
    expect(result).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 4, column: 5, field: "steps.0.zzzzzzzz", message: 'unknown field "zzzzzzzz": known fields: name, image, run, timeout, junit, deploy, env' },
      ],
    });
  });

  it("rejects wrong units with the Kubernetes spelling", () => {
    const result = parse('environment:\n  resources: { cpu: "2 cores", memory: 4GB }\nsteps:\n  - name: a\n    run: x\n');
    expect(result).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 2, column: 21, field: "environment.resources.cpu", message: 'invalid CPU quantity "2 cores": use a positive Kubernetes quantity such as 1, 0.5 or 500m' },
        { file: FILE, line: 2, column: 40, field: "environment.resources.memory", message: 'invalid memory quantity "4GB": use a Kubernetes quantity such as 4Gi (binary units)' },
      ],
    });
  });

  it("reports a missing required field at its parent", () => {
    expect(parse("steps:\n  - name: a\n")).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 2, column: 5, field: "steps.0.run", message: "required field is missing: add it as a string" }],
    });
  });

  it("rejects duplicate step names", () => {
    expect(parse("steps:\n  - name: a\n    run: x\n  - name: a\n    run: y\n")).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 4, column: 11, field: "steps.1.name", message: 'duplicate step name "a": each step needs its own name' }],
    });
  });

  it("rejects duplicate step names beside an invalid step", () => {
    expect(parse("steps:\n  - name: a\n  - name: a\n    run: y\n  - run: z\n")).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 2, column: 5, field: "steps.0.run", message: "required field is missing: add it as a string" },
        { file: FILE, line: 5, column: 5, field: "steps.2.name", message: "required field is missing: add it as a string" },
        { file: FILE, line: 3, column: 11, field: "steps.1.name", message: 'duplicate step name "a": each step needs its own name' },
      ],
    });
  });

  it("rejects an empty file", () => {
    expect(parse("")).toEqual({ ok: false, problems: [{ file: FILE, line: 1, column: 1, field: "", message: "file is empty: add the settings it should hold" }] });
  });

  it("rejects a file over the size limit before parsing", () => {
    const text = `steps: []\n#${"x".repeat(MAX_CONFIG_BYTES)}`;
    expect(parse(text)).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 1, column: 1, field: "", message: `file is ${MAX_CONFIG_BYTES + 11} bytes, over the limit of ${MAX_CONFIG_BYTES} bytes: shorten it` }],
    });
  });

  it("rejects aliases that expand without bound", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]", "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]"].join("\n");
    const result = parse(bomb);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]!.message).toMatch(/^YAML aliases expand too far/);
  });

  it("rejects __proto__ without polluting prototypes", () => {
    const result = parse("__proto__: { polluted: true }\nsteps:\n  - name: a\n    run: x\n");
    expect(result).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 1, column: 1, field: "", message: 'key "__proto__" is not allowed, because it names JavaScript prototype machinery: remove it' }],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("step limits", () => {
  it("rejects a step timeout over 24h", () => {
    expect(parse("steps:\n  - name: a\n    run: x\n    timeout: 30d\n")).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 4, column: 14, field: "steps.0.timeout", message: 'step timeout "30d" is longer than the maximum of 24h: split the step or shorten it' }],
    });
  });

  it("accepts environment values at their maximum", () => {
    const result = parse('environment:\n  ttl: 365d\n  resources: { cpu: "1024", memory: 64Ti }\nsteps:\n  - name: a\n    run: x\n');
    expect(result.ok).toBe(true);
  });

  it("rejects environment values over their maximum", () => {
    expect(parse('environment:\n  ttl: 366d\n  resources: { cpu: 1024001m, memory: 65Ti }\nsteps:\n  - name: a\n    run: x\n')).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 3, column: 21, field: "environment.resources.cpu", message: 'CPU quantity "1024001m" is more than the maximum of 1024 cores: request fewer cores, such as 4' },
        { file: FILE, line: 3, column: 39, field: "environment.resources.memory", message: 'memory quantity "65Ti" is more than the maximum of 64Ti: request less memory, such as 8Gi' },
        { file: FILE, line: 2, column: 8, field: "environment.ttl", message: 'ttl "366d" is longer than the maximum of 365d: set a shorter lifetime such as 24h or 7d' },
      ],
    });
  });

  it("rejects a JUnit path escaping the checkout", () => {
    expect(parse("steps:\n  - name: a\n    run: x\n    junit: reports/../../etc/passwd\n")).toEqual({
      ok: false,
      problems: [
        {
          file: FILE,
          line: 4,
          column: 12,
          field: "steps.0.junit",
          message: "invalid JUnit report path \"reports/../../etc/passwd\": use a path relative to the checkout, without '..' and not starting with '/'",
        },
      ],
    });
  });

  it("rejects an environment variable name a shell cannot use", () => {
    expect(parse("steps:\n  - name: a\n    run: x\n    env: { A-B: x }\n")).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 4, column: 17, field: "steps.0.env.A-B", message: `invalid environment variable name "A-B": use letters, digits and '_', not starting with a digit` },
      ],
    });
  });
});
