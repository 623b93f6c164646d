import { describe, expect, it } from "vitest";

import { PaddockError } from "../../src/errors.ts";
import { describePrepareFailure } from "../../src/pipeline/describe-prepare-failure.ts";

describe("describePrepareFailure", () => {
  it("names a failed image build", () => {
    expect(describePrepareFailure(new PaddockError("IMAGE_BUILD_FAILED", "image web (r/w:abc): Job b/j failed"))).toBe("Image build failed: image web (r/w:abc): Job b/j failed");
  });

  it("keeps other failures as preparation failures", () => {
    expect(describePrepareFailure(new PaddockError("KUBERNETES_FORBIDDEN", "namespace denied"))).toBe("Environment could not be prepared: namespace denied");
  });

  it("describes a non-Error throw", () => {
    expect(describePrepareFailure("disk full")).toBe("Environment could not be prepared: disk full");
  });
});
