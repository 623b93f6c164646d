import { describe, expect, it } from "vitest";
import { InstallationClients } from "../../src/github/installation-clients.ts";

describe("InstallationClients", () => {
  it("keeps the first client of an installation", () => {
    const clients = new InstallationClients<string>();

    expect(clients.clientFor(1, "first")).toBe("first");
    expect(clients.clientFor(1, "second")).toBe("first");
    expect(clients.clientFor(2, "other")).toBe("other");
    expect(clients.size).toBe(2);
  });

  it("drops the least recently used installation", () => {
    const clients = new InstallationClients<string>({ maxInstallations: 2 });
    clients.clientFor(1, "one");
    clients.clientFor(2, "two");
    clients.clientFor(1, "one again");

    clients.clientFor(3, "three");

    expect(clients.size).toBe(2);
    expect(clients.clientFor(1, "new one")).toBe("one");
    expect(clients.clientFor(2, "new two")).toBe("new two");
  });
});
