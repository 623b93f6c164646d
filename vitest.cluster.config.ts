import { defineConfig } from "vitest/config";

/**
 * Cluster tests run against one real control plane that test/cluster/global-setup.ts
 * starts (and builds first, if its binaries are missing). Files run one after
 * another, because the control plane already keeps two cores busy.
 */
export default defineConfig({
  test: {
    include: ["test/cluster/**/*.test.ts"],
    globalSetup: ["test/cluster/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
