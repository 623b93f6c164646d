import { createServer } from "node:net";

/**
 * Returns a port that was free on 127.0.0.1 a moment ago. Probot's Server reads port 0 as
 * "unset" and takes 3000, so a free port must be found before it listens. Another process may
 * take the port in between, and the listen then fails with EADDRINUSE.
 */
export async function findFreeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("the port probe on 127.0.0.1 returned no address");
  return address.port;
}
