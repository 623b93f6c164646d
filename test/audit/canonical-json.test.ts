import { describe, expect, it } from "vitest";
import { canonicalizeJson, hashCanonicalJson } from "../../src/audit/canonical-json.ts";

describe("canonicalizeJson", () => {
  it("matches the RFC 8785 sample", () => {
    // The input and output of RFC 8785, section 3.2.2 and 3.2.3.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );

    expect(canonicalizeJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it("sorts keys by UTF-16 code units", () => {
    // The property sorting sample of RFC 8785, section 3.2.3.
    const input = { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" };

    expect(Object.keys(JSON.parse(canonicalizeJson(input)))).toEqual(["1", "\r", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
    expect(canonicalizeJson(input).startsWith('{"\\r":"Carriage Return","1":"One"')).toBe(true);
  });

  it("sorts nested objects and keeps array order", () => {
    expect(canonicalizeJson({ b: [{ z: 1, a: 2 }, 3], a: { d: null, c: "x" } })).toBe('{"a":{"c":"x","d":null},"b":[{"a":2,"z":1},3]}');
  });

  it("leaves out undefined properties", () => {
    expect(canonicalizeJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it("rejects non-finite numbers", () => {
    expect(() => canonicalizeJson({ cost: Number.NaN })).toThrow("cannot write canonical JSON at $.cost: the number NaN is not finite");
  });

  it("rejects lone surrogates", () => {
    expect(() => canonicalizeJson(["\ud800"])).toThrow("cannot write canonical JSON at $[0]: the string contains a lone surrogate");
  });

  it("rejects BigInt and Date values", () => {
    expect(() => canonicalizeJson({ amount: 1n })).toThrow("a bigint is not JSON data");
    expect(() => canonicalizeJson({ at: new Date(0) })).toThrow("a Date is not plain JSON data");
  });
});

describe("hashCanonicalJson", () => {
  it("hashes equal data equally", () => {
    expect(hashCanonicalJson({ a: 1, b: 2 })).toBe(hashCanonicalJson({ b: 2, a: 1 }));
  });

  it("returns the SHA-256 of the canonical text", () => {
    // printf '{"a":1}' | sha256sum
    expect(hashCanonicalJson({ a: 1 })).toBe("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
  });
});
