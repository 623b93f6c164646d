import { defineConfig } from "vitest/config";

// The default suite: everything but the cluster tests, which need the control plane that
// vitest.cluster.config.ts starts. Sandbox tests build and run real code, hence the timeouts.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/cluster/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
