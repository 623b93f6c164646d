import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

import { findProcessGroupMembers, waitForProcessGroupsEmpty } from "../../../src/providers/local/process-group-members.ts";

describe("process group members", () => {
  it("lists a group until it is killed", async () => {
    const leader = spawn("sh", ["-c", "sleep 300 & sleep 300 & wait"], { detached: true, stdio: "ignore" });
    const group = leader.pid!;
    try {
      const deadline = Date.now() + 10_000;
      while ((await findProcessGroupMembers([group])).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await findProcessGroupMembers([group])).length).toBe(3);

      process.kill(-group, "SIGKILL");
      expect(await waitForProcessGroupsEmpty([group], 10_000)).toEqual([]);
    } finally {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // The group is already gone.
      }
    }
  });

  it("returns at once for no groups", async () => {
    expect(await waitForProcessGroupsEmpty([], 10_000)).toEqual([]);
  });
});
