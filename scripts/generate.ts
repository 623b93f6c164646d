/**
 * Rebuilds the generated files from their sources: the JSON Schemas in schema/ from the zod
 * schemas, the Action's bundle dist/index.js from action/main.ts, and the app's bundle
 * dist/app.js from app/main.ts, which `npm start` runs, with the webhook front thread's entry
 * dist/webhook-front.js beside it. With --check it writes
 * nothing and exits 1 when a committed file differs.
 */
import { buildSync } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { repoConfigSchema } from "../src/config/repo-config-schema.ts";
import { orgPolicySchema } from "../src/policy/org-policy-schema.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const outputs: Array<{ path: string; render: () => string }> = [
  { path: "dist/index.js", render: () => bundleEntry({ entry: "action/main.ts", minify: false }) },
  // The app runs bundled, because plain node loading one file took about 60 MB less memory than
  // tsx compiling the sources (bench/lifecycle-sweeper.ts). Whitespace and syntax are minified, names kept for logs and stacks.
  { path: "dist/app.js", render: () => bundleEntry({ entry: "app/main.ts", minify: true }) },
  // The app starts this file as a worker thread from the folder of dist/app.js (src/github/start-webhook-front.ts).
  { path: "dist/webhook-front.js", render: () => bundleEntry({ entry: "src/github/webhook-front-thread.ts", minify: true }) },
  { path: "schema/paddock.schema.json", render: () => renderSchema(repoConfigSchema, "paddock.schema.json", "Paddock repository config (.github/paddock.yml)") },
  {
    path: "schema/paddock-policy.schema.json",
    render: () => renderSchema(orgPolicySchema, "paddock-policy.schema.json", "Paddock org policy (.github/paddock-policy.yml)"),
  },
];

function renderSchema(schema: z.ZodType, id: string, title: string): string {
  // io "input" describes what people write: fields with defaults are optional.
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify({ ...json, $id: id, title }, null, 2)}\n`;
}

function bundleEntry(options: { entry: string; minify: boolean }): string {
  const result = buildSync({
    entryPoints: [join(root, options.entry)],
    minifyWhitespace: options.minify,
    minifySyntax: options.minify,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    write: false,
    legalComments: "none",
    // Some dependencies are CommonJS and call require, which an ES module lacks.
    banner: { js: 'import { createRequire as __paddockCreateRequire } from "node:module"; const require = __paddockCreateRequire(import.meta.url);' },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

const check = process.argv.includes("--check");
const stale: string[] = [];
for (const output of outputs) {
  const path = join(root, output.path);
  const fresh = output.render();
  let current: string | undefined;
  try {
    current = readFileSync(path, "utf8");
  } catch {
    current = undefined;
  }
  if (current === fresh) continue;
  if (check) stale.push(output.path);
  else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, fresh);
  }
}

if (stale.length > 0) {
  console.error(`Generated files are out of date: ${stale.join(", ")}. Run npm run generate and commit the result.`);
  process.exit(1);
}
console.log(check ? "Generated files are up to date." : `Wrote ${outputs.map((output) => output.path).join(", ")}.`);
