/** Default number of lines an {@link OutputTail} keeps. */
export const DEFAULT_TAIL_LINES = 50;

/** Default maximum size of an {@link OutputTail} in bytes (16 KiB). */
export const DEFAULT_TAIL_BYTES = 16 * 1024;

const NEWLINE = 0x0a;

/**
 * Bounded tail of a byte stream: the last `maxLines` lines, at most `maxBytes` bytes, cut on a
 * UTF-8 character boundary. Memory stays at about `maxBytes` whatever the volume pushed, because
 * only the last `maxBytes` bytes are retained and lines are counted when the text is read.
 * Nothing is stripped or escaped here.
 */
export class OutputTail {
  readonly maxLines: number;
  readonly maxBytes: number;
  private window: Buffer = Buffer.alloc(0);
  private totalBytes = 0;

  constructor(options: { maxLines?: number; maxBytes?: number } = {}) {
    this.maxLines = options.maxLines ?? DEFAULT_TAIL_LINES;
    this.maxBytes = options.maxBytes ?? DEFAULT_TAIL_BYTES;
    if (!Number.isInteger(this.maxLines) || this.maxLines < 1) {
      throw new RangeError(`maxLines must be a positive integer, got ${this.maxLines}`);
    }
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 4) {
      throw new RangeError(`maxBytes must be an integer of at least 4 (one UTF-8 character), got ${this.maxBytes}`);
    }
  }

  /** Appends a chunk, dropping what falls out of the last `maxBytes` bytes. */
  push(chunk: Uint8Array): void {
    this.totalBytes += chunk.length;
    if (chunk.length >= this.maxBytes) {
      this.window = Buffer.from(chunk.subarray(chunk.length - this.maxBytes));
      return;
    }
    const joined = Buffer.concat([this.window, chunk]);
    this.window = joined.length > this.maxBytes ? joined.subarray(joined.length - this.maxBytes) : joined;
  }

  /** Bytes pushed so far, including those already dropped. */
  get receivedBytes(): number {
    return this.totalBytes;
  }

  /** Returns the retained tail as text and whether anything before it was dropped. */
  read(): { text: string; truncated: boolean } {
    let start = findLineStart(this.window, this.maxLines);
    if (start === 0 && this.totalBytes > this.window.length) {
      // The byte cap cut the oldest retained line: drop a partial UTF-8 sequence at the front.
      while (start < this.window.length && isContinuationByte(this.window[start] ?? 0)) start += 1;
    }
    const tailBytes = this.window.subarray(start);
    return { text: tailBytes.toString("utf8"), truncated: this.totalBytes > tailBytes.length };
  }
}

/** Returns the offset where the last `lines` lines of `buffer` begin; a final newline ends a line. */
function findLineStart(buffer: Buffer, lines: number): number {
  let position = buffer.length - 1;
  if (buffer[position] === NEWLINE) position -= 1;

  let newlines = 0;
  for (; position >= 0; position -= 1) {
    if (buffer[position] !== NEWLINE) continue;
    newlines += 1;
    if (newlines === lines) return position + 1;
  }
  return 0;
}

function isContinuationByte(byte: number): boolean {
  return (byte & 0b1100_0000) === 0b1000_0000;
}
