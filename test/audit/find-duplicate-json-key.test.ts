import { describe, expect, it } from "vitest";
import { findDuplicateJsonKey } from "../../src/audit/find-duplicate-json-key.ts";

describe("findDuplicateJsonKey", () => {
  it("returns null for distinct names", () => {
    expect(findDuplicateJsonKey('{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"d":"a"}')).toBeNull();
  });

  it("finds a top-level duplicate", () => {
    expect(findDuplicateJsonKey('{"action":"policy.denied","id":"x","action":"environment.created"}')).toEqual({ key: "action", parents: [] });
  });

  it("finds a duplicate in a nested object", () => {
    expect(findDuplicateJsonKey('{"actor":{"login":"a","id":1,"login":"b"}}')).toEqual({ key: "login", parents: ["actor"] });
  });

  it("finds a duplicate inside an array", () => {
    expect(findDuplicateJsonKey('{"items":[{"a":1},{"b":1,"b":2}]}')).toEqual({ key: "b", parents: ["items", "[1]"] });
  });

  it("compares names after unescaping", () => {
    expect(findDuplicateJsonKey('{"a":1,"\\u0061":2}')).toEqual({ key: "a", parents: [] });
  });

  it("ignores names inside string values", () => {
    expect(findDuplicateJsonKey('{"a":"\\"a\\":1,","b":"{\\"a\\":2}"}')).toBeNull();
  });

  it("ignores a name repeated in sibling objects", () => {
    expect(findDuplicateJsonKey('[{"a":1},{"a":2}]')).toBeNull();
  });

  it("accepts whitespace between tokens", () => {
    expect(findDuplicateJsonKey('{ "a" : 1 ,\t"b" : [ 1 , 2 ] , "a" : true }')).toEqual({ key: "a", parents: [] });
  });
});
