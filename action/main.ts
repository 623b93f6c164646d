import { runMain } from "./run-main.ts";

// The Action's entry, which dist/index.js bundles.
await runMain();
