/** Parsing of the duration and Kubernetes quantity strings used in config files. */

const DURATION_PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Parses a duration such as `90s`, `10m`, `24h` or `1h30m` into whole seconds; undefined when invalid. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match || text.trim() === "") return undefined;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

const CPU_PATTERN = /^(\d+(?:\.\d{1,3})?|\d+m)$/;

/** Parses a Kubernetes CPU quantity (`2`, `0.5`, `500m`) into millicores; undefined when invalid. */
export function parseCpuMillis(text: string): number | undefined {
  const value = text.trim();
  if (!CPU_PATTERN.test(value)) return undefined;
  if (value.endsWith("m")) return Number(value.slice(0, -1));
  return Math.round(Number(value) * 1000);
}

const MEMORY_FACTORS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** Parses a Kubernetes memory quantity (`512Mi`, `2Gi`, `1G`) into bytes; undefined when invalid. */
export function parseMemoryBytes(text: string): number | undefined {
  const match = MEMORY_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const factor = MEMORY_FACTORS[match[2] ?? ""];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

/** Suggests the Kubernetes spelling for a common wrong memory unit such as `4GB` or `512mb`. */
export function suggestMemoryQuantity(text: string): string | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt])i?b?\s*$/i.exec(text);
  if (!match) return undefined;
  return `${match[1]}${match[2]!.toUpperCase()}i`;
}
