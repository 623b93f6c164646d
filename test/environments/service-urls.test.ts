import { describe, expect, it } from "vitest";
import { serviceUrlVariables } from "../../src/environments/service-urls.ts";

describe("serviceUrlVariables", () => {
  it("names each service's URL variable", () => {
    const services = [
      { name: "web", port: 8080 },
      { name: "api-v2", port: 3000 },
    ];
    expect(serviceUrlVariables(services, () => "127.0.0.1")).toEqual({
      PADDOCK_SERVICE_WEB_URL: "http://127.0.0.1:8080",
      PADDOCK_SERVICE_API_V2_URL: "http://127.0.0.1:3000",
    });
  });

  it("asks hostFor for each service's host", () => {
    const services = [{ name: "db", port: 5432 }];
    expect(serviceUrlVariables(services, (service) => `${service.name}.pr-7.svc`)).toEqual({ PADDOCK_SERVICE_DB_URL: "http://db.pr-7.svc:5432" });
  });

  it("returns no variables without services", () => {
    expect(serviceUrlVariables([], () => "127.0.0.1")).toEqual({});
  });
});
