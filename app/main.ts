import { run } from "probot";
import { createPaddockRuntime } from "../src/service/create-runtime.ts";
import { createPaddockApp } from "./paddock-app.ts";

// Probot's setup mode would otherwise ask smee.io for a webhook proxy channel; opt in with NO_SMEE_SETUP=false.
process.env.NO_SMEE_SETUP ??= "true";

const runtime = await createPaddockRuntime({ env: process.env });
await run(createPaddockApp({ service: runtime.service, sweepIntervalMs: runtime.sweepIntervalMs }), { log: runtime.logger });
