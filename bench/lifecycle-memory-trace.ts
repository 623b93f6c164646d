/**
 * Samples the app host's memory on a timer, so a benchmark can say when the peak resident
 * memory came and what the main thread's heap and buffers held then. RSS covers the whole
 * process, the webhook front thread included. The heap and buffer fields are the main thread's
 * only: Node 20 has no `worker.getHeapStatistics()` (added in Node 22.16), so the front
 * thread's heap shows only through `--trace-gc` lines, which name each isolate's address.
 */

/** Maximum samples kept; at 10 ms a sample this is over 16 minutes. */
const MAX_SAMPLES = 100_000;

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
 * Starts sampling every `intervalMs`. The timer runs on the main thread's event loop, so a
 * long synchronous step (a large JSON.parse) delays samples; `maxRssBytes` still records the
 * peak of that step.
 */
export function startMemorySampler(options: { intervalMs: number }): MemorySampler {
  const startedAt = performance.now();
  const samples: MemorySample[] = [];
  const marks: TraceMark[] = [];
  const sample = (): void => {
    if (samples.length >= MAX_SAMPLES) return;
    const usage = process.memoryUsage();
    samples.push({
      atMs: performance.now() - startedAt,
      rssBytes: usage.rss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapTotalBytes: usage.heapTotal,
      heapUsedBytes: usage.heapUsed,
      externalBytes: usage.external,
      arrayBuffersBytes: usage.arrayBuffers,
    });
  };
  sample();
  const timer = setInterval(sample, options.intervalMs);
  timer.unref();
  return {
    mark: (label) => void marks.push({ atMs: performance.now() - startedAt, label }),
    read: () => ({ samples: [...samples], marks: [...marks] }),
    stop: () => clearInterval(timer),
  };
}
