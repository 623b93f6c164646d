import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createPaddockApp } from "../../app/paddock-app.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { createFileGovernance } from "../../src/service/create-governance.ts";
import type { WorkRouter } from "../../src/replicas/work-router.ts";
import type { AuditTrail } from "../../src/service/audit-trail.ts";
import { createPaddockService, type PaddockService } from "../../src/service/paddock-service.ts";
import { createTestProbot, type TestProbot } from "../support/probot-harness.ts";

/** The app under test: Probot with Paddock loaded, the real service and a real local provider. */
export interface AppUnderTest extends TestProbot {
  service: PaddockService;
  stateDir: string;
}

/** Starts Paddock's Probot app on a fresh state folder; start the fake GitHub first. */
export async function startApp(options: { quietMs?: number; now?: () => Date; router?: WorkRouter; maxDeferredWrites?: number; audit?: AuditTrail } = {}): Promise<AppUnderTest> {
  const stateDir = mkdtempSync(join(tmpdir(), "paddock-state-"));
  const logger = pino({ level: "silent" });
  const provider = createLocalProvider({ stateDir, logger });
  const service = createPaddockService({ provider, logger, governance: createFileGovernance({ stateDir }), ...options });
  const probot = await createTestProbot({ appFn: createPaddockApp({ service }), logLevel: "info" });
  return { ...probot, service, stateDir };
}
