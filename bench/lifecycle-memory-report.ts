import type { MemorySample, MemoryTrace } from "./lifecycle-memory-trace.ts";

/** Sample fields the report gives the maximum of. */
const FIELDS = [
  ["rssBytes", "RSS"],
  ["heapTotalBytes", "main heap total"],
  ["heapUsedBytes", "main heap used"],
  ["externalBytes", "main external"],
  ["arrayBuffersBytes", "main array buffers"],
] as const;

/**
 * Formats a memory trace as Markdown lines: when the process's peak RSS (getrusage) was reached
 * and in which phase, the maximum of each sampled field with its time, and the readings at each
 * mark. A peak is placed at the first sample whose `maxRssBytes` equals the final one, so it
 * came at most one sampling interval before that sample.
 */
export function describeMemoryTrace(trace: MemoryTrace): string[] {
  const { samples, marks } = trace;
  if (samples.length === 0) return ["no memory samples were taken"];
  const phaseAt = (atMs: number): string => marks.filter((mark) => mark.atMs <= atMs).at(-1)?.label ?? "before the app loaded";
  const finalMax = samples.at(-1)!.maxRssBytes;
  const peakIndex = samples.findIndex((sample) => sample.maxRssBytes === finalMax);
  const peak = samples[peakIndex]!;
  const before = samples[Math.max(0, peakIndex - 1)]!;

  const lines = [
    `peak RSS ${formatMb(finalMax)}, reached between ${formatS(before.atMs)} and ${formatS(peak.atMs)} after the host started, during "${phaseAt(peak.atMs)}"`,
    `sampled just before and at the peak: ${describeSample(before)}; ${describeSample(peak)}`,
    "",
    "| field | maximum sampled | at | during |",
    "| --- | ---: | ---: | --- |",
  ];
  for (const [field, name] of FIELDS) {
    const top = samples.reduce((best, sample) => (sample[field] > best[field] ? sample : best));
    lines.push(`| ${name} | ${formatMb(top[field])} | ${formatS(top.atMs)} | ${phaseAt(top.atMs)} |`);
  }
  lines.push("", "| mark | at | RSS | peak RSS so far | main heap used | main external |", "| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const mark of marks) {
    const sample = samples.find((candidate) => candidate.atMs >= mark.atMs) ?? samples.at(-1)!;
    lines.push(`| ${mark.label} | ${formatS(mark.atMs)} | ${formatMb(sample.rssBytes)} | ${formatMb(sample.maxRssBytes)} | ${formatMb(sample.heapUsedBytes)} | ${formatMb(sample.externalBytes)} |`);
  }
  return lines;
}

function describeSample(sample: MemorySample): string {
  return `RSS ${formatMb(sample.rssBytes)}, main heap used ${formatMb(sample.heapUsedBytes)} of ${formatMb(sample.heapTotalBytes)}, external ${formatMb(sample.externalBytes)}, array buffers ${formatMb(sample.arrayBuffersBytes)}`;
}

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function formatS(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
