import { isIP } from "node:net";

import { PaddockError } from "../../../errors.ts";

/** The egress entry that opens all destinations. */
export const ANY_EGRESS = "*";

/** Egress entries sorted by what a NetworkPolicy can express. */
export interface EgressRules {
  /** True when the entries contain `*`. */
  any: boolean;
  /** CIDRs in canonical form; a bare address becomes a single-address block. */
  cidrs: string[];
  /** Host names, which a NetworkPolicy cannot express. */
  hosts: string[];
}

/**
 * Sorts egress entries into `*`, CIDRs and host names. An IPv4 CIDR with host bits set is
 * masked (`10.1.2.3/8` becomes `10.0.0.0/8`), because recent API servers reject it.
 * Throws a PaddockError for an address with an invalid prefix length.
 */
export function classifyEgress(entries: readonly string[]): EgressRules {
  const rules: EgressRules = { any: false, cidrs: [], hosts: [] };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === ANY_EGRESS) {
      rules.any = true;
      continue;
    }
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    if (family === 0) {
      rules.hosts.push(entry);
      continue;
    }
    const maxPrefix = family === 4 ? 32 : 128;
    const length = prefix === undefined ? maxPrefix : Number(prefix);
    if (rest.length > 0 || !/^\d{1,3}$/.test(prefix ?? String(maxPrefix)) || length > maxPrefix) {
      throw new PaddockError("CONFIG_INVALID", `egress entry ${raw} is not a valid CIDR`, {
        hint: `Use an address with a prefix length from 0 to ${maxPrefix}, such as ${family === 4 ? "203.0.113.0/24" : "2001:db8::/32"}`,
      });
    }
    // NOTE: IPv6 blocks are passed on as written, without masking host bits.
    rules.cidrs.push(family === 4 ? maskIpv4(address, length) : `${address}/${length}`);
  }
  rules.cidrs = [...new Set(rules.cidrs)];
  rules.hosts = [...new Set(rules.hosts)];
  return rules;
}

function maskIpv4(address: string, length: number): string {
  const value = address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  const masked = (value & mask) >>> 0;
  const octets = [24, 16, 8, 0].map((shift) => (masked >>> shift) & 0xff);
  return `${octets.join(".")}/${length}`;
}
