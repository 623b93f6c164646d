/**
 * Samples the app host's memory on a timer, so a benchmark can report when the peak resident
 * memory came and what the main thread's heap and buffers held then. RSS covers the whole
 * process, the webhook front thread included. The heap and buffer fields are the main thread's
 * only: Node 20 has no `worker.getHeapStatistics()` (added in Node 22.16), so the front
 * thread's heap shows only through `--trace-gc` lines, which name each isolate's address.
 */

/** Maximum samples kept; at 10 ms a sample this is 5 minutes. Later samples are dropped. */
const MAX_SAMPLES = 30_000;

/** Fields of one sample, in the order they are stored. */
const SAMPLE_FIELDS = ["atMs", "rssBytes", "maxRssBytes", "heapTotalBytes", "heapUsedBytes", "externalBytes", "arrayBuffersBytes"] as const;

/** One sample, in bytes, at `atMs` milliseconds after the trace started. */
export interface MemorySample {
  atMs: number;
  rssBytes: number;
  /** Peak RSS of the process so far, from getrusage. It catches peaks between two samples. */
  maxRssBytes: number;
  heapTotalBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

/** A named moment of the run, such as the start of a sweep, at `atMs` after the trace started. */
export interface TraceMark {
  atMs: number;
  label: string;
}

/** The samples and marks of one run. */
export interface MemoryTrace {
  samples: MemorySample[];
  marks: TraceMark[];
}

/** A running sampler: `mark` names a moment, `read` returns what was recorded so far. */
export interface MemorySampler {
  mark(label: string): void;
  read(): MemoryTrace;
  stop(): void;
}

/**
 * Starts sampling every `intervalMs`. The samples go into one Float64Array allocated at the
 * start (1.6 MiB), so the sampler's own memory does not grow during the run and shows in no
 * later reading as growth. The timer runs on the main thread's event loop, so a long
 * synchronous step (a large JSON.parse) delays samples. `maxRssBytes` still records the peak of
 * that step.
 */
export function startMemorySampler(options: { intervalMs: number }): MemorySampler {
  const startedAt = performance.now();
  const width = SAMPLE_FIELDS.length;
  const values = new Float64Array(MAX_SAMPLES * width);
  let count = 0;
  const marks: TraceMark[] = [];
  const sample = (): void => {
    if (count >= MAX_SAMPLES) return;
    const usage = process.memoryUsage();
    const row = [performance.now() - startedAt, usage.rss, process.resourceUsage().maxRSS * 1024, usage.heapTotal, usage.heapUsed, usage.external, usage.arrayBuffers];
    values.set(row, count * width);
    count += 1;
  };
  sample();
  const timer = setInterval(sample, options.intervalMs);
  timer.unref();
  return {
    mark: (label) => void marks.push({ atMs: performance.now() - startedAt, label }),
    read: () => ({ samples: readSamples(values, count), marks: [...marks] }),
    stop: () => clearInterval(timer),
  };
}

function readSamples(values: Float64Array, count: number): MemorySample[] {
  const width = SAMPLE_FIELDS.length;
  return Array.from({ length: count }, (_, index) => {
    const sample = {} as MemorySample;
    SAMPLE_FIELDS.forEach((field, offset) => (sample[field] = values[index * width + offset]!));
    return sample;
  });
}
