/**
 * Runs the two-service stack once with the local provider and prints the outcome as JSON, for
 * tests that need it in another process, such as one started as an unprivileged user.
 *
 *   node --import tsx test/providers/local/run-stack-script.ts
 */
import { mkdir, mkdtemp, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { createLocalProvider } from "../../../src/providers/local/local-provider.ts";
import { findProcessesInNetwork, writeServiceStack } from "./service-stack.ts";

const root = await mkdtemp(path.join(tmpdir(), "paddock-stack-run-"));
try {
  const source = path.join(root, "source");
  await mkdir(source);
  await writeServiceStack(source);
  const provider = createLocalProvider({ stateDir: path.join(root, "state") });
  const signal = new AbortController().signal;
  const prepared = await provider.prepare({
    environment: { name: "stack-user-abc", labels: {}, annotations: {}, resources: { cpu: "1", memory: "1Gi" }, egress: [], ttlSeconds: 600 },
    source: { kind: "directory", sha: "0123456789abcdef0123456789abcdef01234567", directory: source },
    signal,
  });
  const started = await provider.startServices({
    prepared,
    services: [
      { name: "store", image: "node:24", run: "exec node store.js", port: 9090, ready: { tcp: 9090 }, env: { STORE_NAME: "paddock" }, timeoutSeconds: 60 },
      { name: "api", image: "node:24", run: "exec node api.js", port: 8080, ready: { http: "/healthz" }, env: {}, timeoutSeconds: 60 },
    ],
    signal,
  });
  const step = await provider.runStep({
    prepared,
    step: { name: "test", run: "node client.js && readlink /proc/self/ns/net && id -u", timeoutSeconds: 60, env: started.variables },
    signal,
  });
  const network = /net:\[\d+\]/.exec(step.outputTail)?.[0] ?? "";
  const runningBefore = network === "" ? 0 : (await findProcessesInNetwork(network)).length;
  await started.stop();
  const leftAfter = network === "" ? [] : await findProcessesInNetwork(network);
  console.log(
    JSON.stringify({
      uid: process.getuid?.(),
      ownNetwork: await readlink("/proc/self/ns/net"),
      services: started.services.map((status) => status.status),
      step: { status: step.status, reason: step.reason ?? null, outputTail: step.outputTail },
      runningBefore,
      leftAfter,
    }),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
