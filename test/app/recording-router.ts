import type { HandedOverCommand, WorkRouter } from "../../src/replicas/work-router.ts";

/** Creates a router that owns every key while `owned` is true and records the work handed to it. */
export function createRecordingRouter(): WorkRouter & { owned: boolean; handed: Array<{ key: string; command: HandedOverCommand }> } {
  const router = {
    owned: true,
    handed: [] as Array<{ key: string; command: HandedOverCommand }>,
    owns: () => router.owned,
    handOver: async (key: string, command: HandedOverCommand) => void router.handed.push({ key, command }),
  };
  return router;
}
