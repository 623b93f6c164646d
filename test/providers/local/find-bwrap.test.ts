import { describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { findBwrap } from "../../../src/providers/local/find-bwrap.ts";

describe("findBwrap", () => {
  it("returns the installed bwrap", async () => {
    await expect(findBwrap()).resolves.toBe("/usr/bin/bwrap");
  });

  it("names the path and the fix when missing", async () => {
    const error = await findBwrap({ path: "/nonexistent/bwrap" }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe("SANDBOX_UNAVAILABLE");
    expect((error as PaddockError).message).toBe(
      "bubblewrap not found at /nonexistent/bwrap: the local provider runs every step in a bubblewrap sandbox. " +
        'Install it with "apt-get install bubblewrap", or create the local provider with sandbox: "none" to run steps unsandboxed on the host',
    );
  });
});
